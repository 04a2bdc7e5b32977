using Emulator.Cli;

return CommandLine.Run(args);
