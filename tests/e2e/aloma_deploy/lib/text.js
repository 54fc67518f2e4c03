export const clean = (email) => email.trim().toLowerCase();
