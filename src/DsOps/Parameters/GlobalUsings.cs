// The parameter types (docs/architecture.md "Parameters") are used by nearly every cmdlet.
global using DsOps.Parameters;
