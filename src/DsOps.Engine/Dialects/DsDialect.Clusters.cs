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

    /// <summary>
    /// Data-source type names (DS's DbType) known to exist in this version, from docs/ds-facts.md §3.10: codes 0-10 in
    /// every version; from 3.2 also ATHENA (11), SSH (17) and SAGEMAKER (25). 3.2 has codes up to 25 and 3.3/3.4 up to
    /// 27 whose other names are not verified, so on 3.2+ this list is incomplete (<see cref="DataSourceTypesComplete"/>).
    /// </summary>
    public IReadOnlyList<string> KnownDataSourceTypes => AtLeast(2)
        ? new[] { "MYSQL", "POSTGRESQL", "HIVE", "SPARK", "CLICKHOUSE", "ORACLE", "SQLSERVER", "DB2", "PRESTO", "H2", "REDSHIFT", "ATHENA", "SSH", "SAGEMAKER" }
        : new[] { "MYSQL", "POSTGRESQL", "HIVE", "SPARK", "CLICKHOUSE", "ORACLE", "SQLSERVER", "DB2", "PRESTO", "H2", "REDSHIFT" };

    /// <summary>True where <see cref="KnownDataSourceTypes"/> is every type the version offers (3.0/3.1: codes 0-10).</summary>
    public bool DataSourceTypesComplete => !AtLeast(2);

    /// <summary>3.4.0 renamed the SSH data source's key field from publicKey to privateKey (its upgrade DML rewrites stored ones).</summary>
    public string SshKeyField => AtLeast(4) ? "privateKey" : "publicKey";

    /// <summary>
    /// k8s clusters are their own resource (/cluster routes, namespaces name them by clusterCode) from 3.1; 3.0's
    /// namespaces carry a free-text cluster name instead and are not managed (docs/ds-facts.md §3.10).
    /// </summary>
    public bool K8sClustersAsResources => AtLeast(1);
}
