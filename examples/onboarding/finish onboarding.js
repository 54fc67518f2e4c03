// Both parallel branches are done: the task is complete.
export const condition = {
  customer: { crm_id: String },
  welcome: { sent_at: String },
};

export const content = async () => {
  task.complete({ crm_id: data.customer.crm_id, welcomed: data.welcome.to });
};
