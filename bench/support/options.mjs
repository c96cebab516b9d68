// The benchmarks' command-line options: `--name=value`.

/** The value of `--name=value` on the command line, or undefined. */
export const option = (name) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
