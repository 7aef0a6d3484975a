using System.Text.Json.Serialization;
using QmHub.Storage.Model;

namespace QmHub.Storage;

[JsonSerializable(typeof(List<StoredFinding>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
