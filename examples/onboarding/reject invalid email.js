// An invalid email ends the task without an error: there is nothing to onboard.
export const condition = {
  customer: { validated: false },
};

export const content = async () => {
  audit.log(`rejected ${JSON.stringify(data.customer.email)}: not an email address`);
  task.ignore();
};
