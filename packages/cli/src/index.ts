// @apb/cli: the `apb` command.
export {};
