// Runs in parallel with "add to crm" once the email is valid.
// `slack` is a `slack` connector posting to an incoming webhook (see the README).
export const condition = {
  customer: { validated: true },
  welcome: null,
};

export const content = async () => {
  const name = data.customer.name ?? 'there';
  const text = `Welcome aboard, ${name}! (${data.customer.email})`;
  await connectors.slack.send({ text, channel: '#onboarding' });
  data.welcome = { to: data.customer.email, text, sent_at: new Date().toISOString() };
};
