using System.Text.Json.Serialization;
using Emulator.Machines;

namespace Emulator.Cli;

/// <summary>Source-generated JSON for --stats-json.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MachineCounters))]
internal sealed partial class MachineCountersJson : JsonSerializerContext;
