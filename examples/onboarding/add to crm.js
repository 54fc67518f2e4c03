// Runs in parallel with "send welcome" once the email is valid.
export const condition = {
  customer: { validated: true, crm_id: null },
};

export const content = async () => {
  // Stands in for a CRM call until a connector is configured: a stable id from the email.
  const bytes = new TextEncoder().encode(data.customer.email);
  const hash = bytes.reduce((h, b) => (h * 31 + b) >>> 0, 7);
  data.customer.crm_id = `crm-${hash.toString(16)}`;
  audit.log(`customer ${data.customer.email} recorded in the CRM as ${data.customer.crm_id}`);
};
