export const condition = { signup: { crmId: String } };

export const content = async () => {
  console.log('would post to', task.config('SLACK_CHANNEL') ? 'the channel' : 'nowhere', data.signup.email);
  task.complete({ crmId: data.signup.crmId });
};
