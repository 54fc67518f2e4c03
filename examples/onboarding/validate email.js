// A new customer arrives with an email nobody has checked yet.
export const condition = {
  customer: { email: String, validated: null },
};

export const content = async () => {
  const email = data.customer.email.trim().toLowerCase();
  data.customer.email = email;
  data.customer.validated = /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email);
  console.log('validated', email, '->', data.customer.validated);
};
