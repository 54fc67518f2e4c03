export const condition = { signup: { normalised: true, crmId: null } };

export const content = async () => {
  const contact = await connectors.crm.createContact({ email: data.signup.email, name: data.signup.name });
  data.signup.crmId = contact.id;
};
