using System.Diagnostics;
using System.Globalization;

namespace QmHub.Bench.Analytics;

/// <summary>What a load produced and what it cost.</summary>
internal sealed record LoadReport(
    string Engine,
    LoadCounts Generated,
    long Interactions,
    long Evaluations,
    long HourlyRows,
    DateTimeOffset FirstStart,
    DateTimeOffset LastStart,
    TimeSpan RowsTime,
    TimeSpan RollupTime,
    long Bytes)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Engine}: {Interactions:N0} interactions ({Generated.InteractionVersions:N0} versions loaded), {Evaluations:N0} evaluations, {HourlyRows:N0} rollup rows, "
        + $"starts {FirstStart:yyyy-MM-dd} to {LastStart:yyyy-MM-dd}; rows loaded in {RowsTime.TotalSeconds:F0} s "
        + $"({(Generated.InteractionVersions + Generated.Evaluations) / Math.Max(1, RowsTime.TotalSeconds):N0} rows/s, simulator included), "
        + $"rollups built in {RollupTime.TotalSeconds:F0} s; database {Bytes / 1024.0 / 1024 / 1024:F2} GiB");
}

/// <summary>Progress on stderr: a line every few seconds.</summary>
internal sealed class Progress(string what, LoadCounts counts)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _last;

    public void Tick()
    {
        if (_clock.Elapsed - _last < TimeSpan.FromSeconds(10))
        {
            return;
        }

        _last = _clock.Elapsed;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {counts.Interactions:N0} interactions, {counts.Evaluations:N0} evaluations, {_clock.Elapsed.TotalSeconds:F0} s, "
            + $"{(counts.InteractionVersions + counts.Evaluations) / _clock.Elapsed.TotalSeconds:N0} rows/s"));
    }

    public void Done() => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what}: done, {counts.Interactions:N0} interactions, {counts.Evaluations:N0} evaluations in {_clock.Elapsed.TotalSeconds:F0} s"));
}
