// Runs in parallel with "add to crm" once the email is valid.
export const condition = {
  customer: { validated: true },
  welcome: null,
};

export const content = async () => {
  const name = data.customer.name ?? 'there';
  data.welcome = {
    to: data.customer.email,
    text: `Welcome aboard, ${name}!`,
    sent_at: new Date().toISOString(),
  };
};
