using DsOps.Emulator.Hosting;

namespace DsOps.Emulator.Api;

/// <summary>Every emulated controller. A route the dialect's endpoint file lists but nobody maps here answers
/// code 10000 "Internal Server Error: … not emulate(d)", so gaps are visible rather than silently wrong.</summary>
public static class ApiRegistration
{
    public static void RegisterAll(EmulatorContext ctx, HandlerTable t)
    {
        AuthApi.Register(ctx, t);
        AccessTokensApi.Register(ctx, t);
        UsersApi.Register(ctx, t);
        ProjectsApi.Register(ctx, t);
        WorkflowDefinitionApi.Register(ctx, t);
        TaskDefinitionApi.Register(ctx, t);
        SchedulesApi.Register(ctx, t);
        ExecutorsApi.Register(ctx, t);
        InstancesApi.Register(ctx, t);
        RunControlApi.Register(ctx, t);
        ResourcesApi.Register(ctx, t);
        MonitorApi.Register(ctx, t);
        LogsApi.Register(ctx, t);
        ClusterAdminApi.Register(ctx, t);
    }
}
