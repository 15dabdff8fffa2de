// The types of host-command.cjs, for the TypeScript tests that load it.
export declare function hostCommand(host: 'bun' | 'deno', binary: string, args: string[], env?: NodeJS.ProcessEnv): { argv: string[]; env: NodeJS.ProcessEnv };
