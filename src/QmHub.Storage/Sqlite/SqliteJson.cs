using System.Text.Json.Serialization;

namespace QmHub.Storage.Sqlite;

/// <summary>The JSON the SQLite statements take as parameters (agent keys for json_each), serialized without reflection.</summary>
[JsonSerializable(typeof(string[][]))]
internal sealed partial class SqliteJson : JsonSerializerContext;
