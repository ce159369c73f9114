namespace DsOps.Engine.Dialects;

// Cluster resources as config (docs/clusters-as-config.md): what differs per version in the resource routes.
public sealed partial class DsDialect
{
    /// <summary>
    /// Alert plugin instances carry instanceType and warningType in 3.2.x only: 3.0/3.1 have neither column, and the 3.3
    /// schema and create route dropped them again (t_ds_alert_plugin_instance in each version's DDL).
    /// </summary>
    public bool AlertInstanceHasTypes => AtLeast(2) && !AtLeast(3);

    /// <summary>
    /// The resource center is addressed by full storage path (fullName) from 3.2.0; 3.0/3.1 use numeric ids and parent
    /// ids, which cluster config does not manage (docs/ds-facts.md §3.9).
    /// </summary>
    public bool ResourceCenterByPath => AtLeast(2);

    /// <summary>3.2's resource list and delete routes take tenantCode; 3.3 dropped the parameter.</summary>
    public bool ResourceRoutesTakeTenant => AtLeast(2) && !AtLeast(3);
}
