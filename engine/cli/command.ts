/** What every subcommand of `ria` provides. */
export interface Command {
  summary: string;
  /** Runs the command with its arguments (the subcommand name removed); resolves to the exit code. */
  run(args: string[], env: NodeJS.ProcessEnv): Promise<number>;
}

export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
