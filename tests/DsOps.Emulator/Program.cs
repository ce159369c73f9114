using DsOps.Emulator;

return await EmulatorProgram.RunAsync(args).ConfigureAwait(false);
