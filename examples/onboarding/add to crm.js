// Runs in parallel with "send welcome" once the email is valid.
// `crm` is a `remote` connector: POST {url}/createContact with a bearer token (see the README).
export const condition = {
  customer: { validated: true, crm_id: null },
};

export const content = async () => {
  const contact = await connectors.crm.createContact({
    email: data.customer.email,
    name: data.customer.name ?? null,
  });
  data.customer.crm_id = contact.id;
  audit.log(`customer ${data.customer.email} recorded in the CRM as ${contact.id}`);
};
