using System.Globalization;

namespace QmHub.Simulation;

/// <summary>
/// What to simulate. The same <see cref="Seed"/>, <see cref="Start"/> and other settings always produce the
/// same deliveries, byte for byte.
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>The seed of every random draw.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The simulated clock's start; the first interactions begin after it.</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>The IANA (or Windows) time zone of the contact center's business hours. Default <c>America/New_York</c>.</summary>
    public string TimeZone { get; init; } = "America/New_York";

    /// <summary>How many Zoom accounts send events. Default 1.</summary>
    public int Accounts { get; init; } = 1;

    /// <summary>How many queues each account has. Default 4.</summary>
    public int QueuesPerAccount { get; init; } = 4;

    /// <summary>How many agents each account has, spread over its queues. Default 24.</summary>
    public int AgentsPerAccount { get; init; } = 24;

    /// <summary>How many QA evaluators each account has. Default 4.</summary>
    public int EvaluatorsPerAccount { get; init; } = 4;

    /// <summary>Interactions an agent handles on an average weekday. Default 24.</summary>
    public double InteractionsPerAgentPerDay { get; init; } = 24;

    /// <summary>Stop after this many deliveries. With <see cref="Duration"/> too, whichever comes first.</summary>
    public int? Count { get; init; }

    /// <summary>Stop when the simulated clock passes <see cref="Start"/> + this. With neither this nor <see cref="Count"/>, one day.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Percent of interactions that get an automated evaluation a few minutes after analysis. Default 60.</summary>
    public double EvaluationPercent { get; init; } = 60;

    /// <summary>Percent of evaluated interactions that also get a manual evaluation hours or days later. Default 25.</summary>
    public double ManualEvaluationPercent { get; init; } = 25;

    /// <summary>Percent of manually evaluated interactions scored by several evaluators (a calibration session or a panel). Default 20.</summary>
    public double CalibrationPercent { get; init; } = 20;

    /// <summary>Percent of interactions re-analysed later: a newer version (higher <c>event_ts</c>) with changed fields. Default 15.</summary>
    public double VersionPercent { get; init; } = 15;

    /// <summary>Percent of inbound interactions transferred to another queue (same engagement, linked by <c>associated_ids</c>). Default 8.</summary>
    public double TransferPercent { get; init; } = 8;

    /// <summary>Percent of interactions followed up by an outbound contact later (linked by <c>associated_ids</c>). Default 5.</summary>
    public double FollowUpPercent { get; init; } = 5;

    /// <summary>Faults to inject; none by default.</summary>
    public FaultRates Faults { get; init; } = FaultRates.None;

    /// <summary>Every setting that is out of range, each message naming the setting; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Positive(string name, double value)
        {
            if (!(value > 0))
            {
                errors.Add($"{name} must be greater than 0 (got {value.ToString(CultureInfo.InvariantCulture)}).");
            }
        }

        Positive(nameof(Accounts), Accounts);
        Positive(nameof(QueuesPerAccount), QueuesPerAccount);
        Positive(nameof(EvaluatorsPerAccount), EvaluatorsPerAccount);
        Positive(nameof(InteractionsPerAgentPerDay), InteractionsPerAgentPerDay);
        if (AgentsPerAccount < QueuesPerAccount)
        {
            errors.Add($"{nameof(AgentsPerAccount)} must be at least {nameof(QueuesPerAccount)} ({QueuesPerAccount}) so that every queue has an agent (got {AgentsPerAccount}).");
        }

        if (Count is <= 0)
        {
            errors.Add($"{nameof(Count)} must be greater than 0 when set (got {Count}).");
        }

        if (Duration is { } d && d <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(Duration)} must be positive when set (got {d}).");
        }

        if (!TryFindTimeZone(TimeZone, out _))
        {
            errors.Add($"{nameof(TimeZone)} '{TimeZone}' is not a time zone known to this machine (use an IANA id such as America/New_York or Europe/Berlin).");
        }

        Percent(errors, nameof(EvaluationPercent), EvaluationPercent);
        Percent(errors, nameof(ManualEvaluationPercent), ManualEvaluationPercent);
        Percent(errors, nameof(CalibrationPercent), CalibrationPercent);
        Percent(errors, nameof(VersionPercent), VersionPercent);
        Percent(errors, nameof(TransferPercent), TransferPercent);
        Percent(errors, nameof(FollowUpPercent), FollowUpPercent);
        foreach (var (fault, percent) in Faults.All)
        {
            Percent(errors, $"{nameof(Faults)}.{fault}", percent);
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid setting.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid simulation options: " + string.Join(" ", errors));
        }
    }

    internal TimeZoneInfo ResolveTimeZone() =>
        TryFindTimeZone(TimeZone, out var zone) ? zone : throw new ArgumentException($"{nameof(TimeZone)} '{TimeZone}' is not a known time zone.");

    private static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }

    private static void Percent(List<string> errors, string name, double value)
    {
        if (!(value is >= 0 and <= 100))
        {
            errors.Add($"{name} must be a percentage between 0 and 100 (got {value.ToString(CultureInfo.InvariantCulture)}).");
        }
    }
}

/// <summary>
/// Faults to inject, each in percent of its own population (see each member): the population is the
/// set of deliveries or interactions that the fault can meaningfully apply to, so every rate is
/// measurable exactly with <see cref="FaultStatistics"/>.
/// </summary>
public sealed record FaultRates
{
    /// <summary>No faults.</summary>
    public static FaultRates None { get; } = new();

    /// <summary>Percent of original deliveries that are delivered a second time with the same bytes (tagged <see cref="DeliveryFault.Duplicate"/> on the copy).</summary>
    public double DuplicatePercent { get; init; }

    /// <summary>Percent of interactions whose newer version is delivered before the older one (tagged <see cref="DeliveryFault.OutOfOrder"/> on the late, older version).</summary>
    public double OutOfOrderPercent { get; init; }

    /// <summary>Percent of evaluated interactions whose first evaluation is delivered before the interaction itself (tagged <see cref="DeliveryFault.EvaluationBeforeInteraction"/> on the evaluation).</summary>
    public double EvaluationBeforeInteractionPercent { get; init; }

    /// <summary>Percent of original deliveries whose body breaks the specification: a required member missing or empty, or a member of the wrong JSON type.</summary>
    public double InvalidPayloadPercent { get; init; }

    /// <summary>Percent of original deliveries signed with the wrong secret.</summary>
    public double BadSignaturePercent { get; init; }

    /// <summary>Percent of original deliveries whose <c>x-zm-request-timestamp</c> is older than the receiver's tolerance.</summary>
    public double StaleTimestampPercent { get; init; }

    /// <summary>Each fault with its percentage.</summary>
    public IEnumerable<(DeliveryFault Fault, double Percent)> All =>
    [
        (DeliveryFault.Duplicate, DuplicatePercent),
        (DeliveryFault.OutOfOrder, OutOfOrderPercent),
        (DeliveryFault.EvaluationBeforeInteraction, EvaluationBeforeInteractionPercent),
        (DeliveryFault.InvalidPayload, InvalidPayloadPercent),
        (DeliveryFault.BadSignature, BadSignaturePercent),
        (DeliveryFault.StaleTimestamp, StaleTimestampPercent),
    ];

    /// <summary>The names <see cref="Parse"/> accepts, as a command line would spell them.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["duplicate", "out-of-order", "evaluation-before-interaction", "invalid", "bad-signature", "stale"];

    /// <summary>
    /// Reads <c>name=percent</c> pairs separated by commas, for example <c>duplicate=2,stale=1,invalid=0.5</c>;
    /// the names are those of <see cref="Names"/>. Faults not named are 0.
    /// </summary>
    /// <exception cref="FormatException">A pair is malformed, names an unknown fault or has a percentage outside 0-100.</exception>
    public static FaultRates Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rates = new FaultRates();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1].TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
            {
                throw new FormatException($"'{pair}' is not name=percent (for example duplicate=2).");
            }

            if (percent is < 0 or > 100)
            {
                throw new FormatException($"'{pair}': the percentage must be between 0 and 100.");
            }

            rates = parts[0].ToUpperInvariant() switch
            {
                "DUPLICATE" => rates with { DuplicatePercent = percent },
                "OUT-OF-ORDER" => rates with { OutOfOrderPercent = percent },
                "EVALUATION-BEFORE-INTERACTION" => rates with { EvaluationBeforeInteractionPercent = percent },
                "INVALID" => rates with { InvalidPayloadPercent = percent },
                "BAD-SIGNATURE" => rates with { BadSignaturePercent = percent },
                "STALE" => rates with { StaleTimestampPercent = percent },
                _ => throw new FormatException($"'{parts[0]}' is not a fault; use one of {string.Join(", ", Names)}."),
            };
        }

        return rates;
    }

    /// <summary>The percentage of one fault.</summary>
    public double PercentOf(DeliveryFault fault) => fault switch
    {
        DeliveryFault.Duplicate => DuplicatePercent,
        DeliveryFault.OutOfOrder => OutOfOrderPercent,
        DeliveryFault.EvaluationBeforeInteraction => EvaluationBeforeInteractionPercent,
        DeliveryFault.InvalidPayload => InvalidPayloadPercent,
        DeliveryFault.BadSignature => BadSignaturePercent,
        DeliveryFault.StaleTimestamp => StaleTimestampPercent,
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "Give a single fault."),
    };
}
