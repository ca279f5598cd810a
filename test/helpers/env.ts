/** Reads a variable that the test harness must provide, with a message naming it when absent. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through make`);
  return value;
}
