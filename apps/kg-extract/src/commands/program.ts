// The program name that kg-extract's help, usage errors and error reports print (the shared toolkit defaults to `apb`).
export const PROGRAM = "kg-extract";
