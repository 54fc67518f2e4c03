/**
 * Step: normalise signup
 */
export const condition = { signup: { email: String, normalised: null } };

export const content = async () => {
  data.signup.email = lib.text.clean(data.signup.email);
  data.signup.normalised = true;
};
