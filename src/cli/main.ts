// persona-lens command-line front-end. (Filled in by the CLI work.)
export {};
