/** cyzen integration API client. */
export {};
