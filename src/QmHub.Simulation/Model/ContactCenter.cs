using Bogus;

namespace QmHub.Simulation.Model;

internal enum ScoringFormat
{
    Points,
    Percentage,
}

/// <summary>A named scorecard. Points scorecards score whole points out of their total; percentage ones score 0-100 with one decimal.</summary>
internal sealed record Scorecard(string Name, ScoringFormat Format, int TotalPoints, double Difficulty)
{
    public string FormatName => Format == ScoringFormat.Points ? "POINTS" : "PERCENTAGE";

    public double TotalPossibleScore => Format == ScoringFormat.Points ? TotalPoints : 100;
}

/// <summary>An agent. <see cref="Skill"/> is a standard-normal trait that shows in every score the agent gets.</summary>
internal sealed record Agent(string UserId, string Name, double Skill, Queue Queue);

/// <summary>A QA evaluator. <see cref="Leniency"/> is added to the ratio of every manual score they give.</summary>
internal sealed record Evaluator(string UserId, string Name, double Leniency);

internal sealed record Consumer(string Name, string Phone, string Language);

internal sealed record QueueTemplate(
    string Name,
    double OutboundShare,
    double DurationFactor,
    double SentimentShift,
    (string Channel, double Weight)[] Channels,
    string? Language);

internal sealed class Queue(string id, string name, string phone, QueueTemplate template)
{
    public string Id { get; } = id;
    public string Name { get; } = name;
    public string Phone { get; } = phone;
    public QueueTemplate Template { get; } = template;
    public List<Agent> Agents { get; } = [];
}

internal sealed class Account
{
    public required string Id { get; init; }
    public required IReadOnlyList<Queue> Queues { get; init; }
    public required IReadOnlyList<Agent> Agents { get; init; }
    public required IReadOnlyList<Evaluator> Evaluators { get; init; }
    public required IReadOnlyList<Consumer> Consumers { get; init; }
}

/// <summary>The simulated organisation: accounts, their queues, agents, evaluators and customers.</summary>
internal sealed class ContactCenter
{
    public static readonly IReadOnlyList<Scorecard> Scorecards =
    [
        new("Customer Experience", ScoringFormat.Points, 50, 0.00),
        new("Compliance Essentials", ScoringFormat.Points, 30, 0.04),
        new("Chat Etiquette", ScoringFormat.Percentage, 100, -0.02),
        new("Sales Effectiveness", ScoringFormat.Percentage, 100, 0.06),
    ];

    private static readonly QueueTemplate[] Templates =
    [
        new("Billing Support", 0.10, 1.0, 0, [("AUDIO", 55), ("WEB_CHAT", 25), ("SMS", 10), ("VIDEO", 5), ("MANUAL", 5)], null),
        new("Technical Support", 0.05, 1.5, -4, [("AUDIO", 45), ("WEB_CHAT", 25), ("VIDEO", 20), ("SMS", 5), ("MANUAL", 5)], null),
        new("Sales", 0.60, 0.9, 6, [("AUDIO", 60), ("VIDEO", 15), ("SMS", 15), ("WEB_CHAT", 5), ("MANUAL", 5)], null),
        new("Customer Retention", 0.35, 1.2, -8, [("AUDIO", 70), ("WEB_CHAT", 10), ("SMS", 10), ("VIDEO", 5), ("MANUAL", 5)], null),
        new("Soporte en Español", 0.10, 1.1, 0, [("AUDIO", 65), ("WEB_CHAT", 15), ("SMS", 15), ("VIDEO", 3), ("MANUAL", 2)], "es-US"),
        new("Claims", 0.15, 1.3, -6, [("AUDIO", 60), ("WEB_CHAT", 20), ("VIDEO", 10), ("SMS", 5), ("MANUAL", 5)], null),
        new("Onboarding", 0.50, 1.4, 8, [("VIDEO", 45), ("AUDIO", 35), ("WEB_CHAT", 10), ("SMS", 5), ("MANUAL", 5)], null),
    ];

    private static readonly (string Language, double Weight)[] ConsumerLanguages =
        [("en-US", 82), ("es-US", 12), ("fr-CA", 3), ("zh-CN", 1.5), ("vi-VN", 1.5)];

    private ContactCenter(IReadOnlyList<Account> accounts) => Accounts = accounts;

    public IReadOnlyList<Account> Accounts { get; }

    public int AgentCount => Accounts.Sum(a => a.Agents.Count);

    public static ContactCenter Create(SimulationOptions options, SimRandom random, Faker faker)
    {
        var accounts = new List<Account>();
        for (var a = 0; a < options.Accounts; a++)
        {
            var queues = new List<Queue>();
            for (var q = 0; q < options.QueuesPerAccount; q++)
            {
                var template = Templates[q % Templates.Length];
                var round = q / Templates.Length;
                var name = round == 0 ? template.Name : $"{template.Name} {round + 1}";
                queues.Add(new Queue(random.ZoomId(), name, Phone(faker), template));
            }

            var agents = new List<Agent>();
            for (var i = 0; i < options.AgentsPerAccount; i++)
            {
                // Round-robin first so every queue is staffed, then a skew towards the first (busiest) queues.
                var queue = i < queues.Count ? queues[i] : queues[Math.Min(queues.Count - 1, (int)random.Exponential(queues.Count / 2.5))];
                var agent = new Agent(random.ZoomId(), faker.Name.FullName(), random.Clamped(0, 1, -2.5, 2.5), queue);
                queue.Agents.Add(agent);
                agents.Add(agent);
            }

            var evaluators = Enumerable.Range(0, options.EvaluatorsPerAccount)
                .Select(_ => new Evaluator(random.ZoomId(), faker.Name.FullName(), random.Normal(0, 0.05)))
                .ToArray();

            var consumers = Enumerable.Range(0, Math.Max(50, options.AgentsPerAccount * 40))
                .Select(_ => new Consumer(faker.Name.FullName(), Phone(faker), random.Weighted(ConsumerLanguages)))
                .ToArray();

            accounts.Add(new Account { Id = random.ZoomId(), Queues = queues, Agents = agents, Evaluators = evaluators, Consumers = consumers });
        }

        return new ContactCenter(accounts);
    }

    /// <summary>A plausible North American number in E.164: area code and exchange never start with 0 or 1.</summary>
    private static string Phone(Faker faker) =>
        faker.Random.ReplaceNumbers($"+1{faker.Random.Number(2, 9)}##{faker.Random.Number(2, 9)}######");
}
