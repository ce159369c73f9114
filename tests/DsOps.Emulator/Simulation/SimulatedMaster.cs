using DsOps.Emulator.Hosting;

namespace DsOps.Emulator.Simulation;

public sealed class SimulatedMaster(EmulatorContext ctx)
{
    private readonly Dictionary<int, DateTime> _scheduleCursor = new();
    public void ScheduleOnline(int id) { lock (_scheduleCursor) _scheduleCursor[id] = ctx.Now; }
    public Task AdvanceAsync(TimeSpan span) { ctx.Clock.Set(ctx.Now + span); return Task.CompletedTask; }
    public Task RunUntilIdleAsync(TimeSpan limit) => Task.CompletedTask;
}
