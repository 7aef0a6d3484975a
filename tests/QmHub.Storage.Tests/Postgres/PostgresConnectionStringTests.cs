using Npgsql;
using QmHub.Storage.Postgres;

namespace QmHub.Storage.Tests.Postgres;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void Url_gives_user_password_host_port_and_database()
    {
        var builder = PostgresConnectionString.Parse("postgres://qmhub:s3cret@db.example:6543/hub");

        Assert.Equal("qmhub", builder.Username);
        Assert.Equal("s3cret", builder.Password);
        Assert.Equal("db.example", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("hub", builder.Database);
    }

    [Fact]
    public void Percent_encoded_characters_in_the_url_are_decoded()
    {
        var builder = PostgresConnectionString.Parse("postgresql://qm%40hub:p%40ss%3Aw%2Frd@127.0.0.1/my%20db");

        Assert.Equal("qm@hub", builder.Username);
        Assert.Equal("p@ss:w/rd", builder.Password);
        Assert.Equal("my db", builder.Database);
        Assert.Equal(5432, builder.Port);
    }

    [Fact]
    public void Url_query_takes_libpq_parameter_names()
    {
        var builder = PostgresConnectionString.Parse("postgres://u@h/db?sslmode=require&connect_timeout=7&application_name=hub-1");

        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal(7, builder.Timeout);
        Assert.Equal("hub-1", builder.ApplicationName);
    }

    [Fact]
    public void Ipv6_host_loses_its_brackets()
    {
        Assert.Equal("::1", PostgresConnectionString.Parse("postgres://u@[::1]:5433/db").Host);
    }

    [Fact]
    public void Keyword_string_is_taken_as_npgsql_reads_it()
    {
        var builder = PostgresConnectionString.Parse("Host=10.0.0.5;Port=5544;Username=qmhub;Password=pw;Database=hub");

        Assert.Equal("10.0.0.5", builder.Host);
        Assert.Equal(5544, builder.Port);
        Assert.Equal("pw", builder.Password);
        Assert.Equal("qmhub", builder.ApplicationName);
    }

    [Theory]
    [InlineData("postgres://u@h/db", true)]
    [InlineData("POSTGRESQL://u@h/db", true)]
    [InlineData("Host=h;Database=db", true)]
    [InlineData("Database=db; host = h", true)]
    [InlineData("Server=h;Database=db", true)]
    [InlineData("./qmhub.db", false)]
    [InlineData("/var/lib/qmhub/hostname=x.db", false)]
    public void Postgres_strings_are_told_from_sqlite_paths(string db, bool isPostgres)
    {
        Assert.Equal(isPostgres, PostgresConnectionString.IsPostgres(db));
    }

    [Fact]
    public void Description_names_user_host_port_and_database_but_never_the_password()
    {
        var store = new PostgresQmStore("postgres://qmhub:Sup3rSecret@db.example:6543/hub");

        Assert.Equal("PostgreSQL qmhub@db.example:6543/hub", store.Description);
        Assert.DoesNotContain("Sup3rSecret", store.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", new PostgresQmStore("Host=h;Username=u;Password=Sup3rSecret;Database=d").Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=;Username=u;Password=Sup3rSecret;Database=db", "names no host")]
    [InlineData("postgres://u:Sup3rSecret@h:port/db", "URL is not valid")]
    [InlineData("postgres://u:Sup3rSecret@h/db?nonsense=1", "'nonsense'")]
    public void Bad_connection_string_is_explained_without_the_password(string db, string expected)
    {
        var error = Assert.Throws<FormatException>(() => PostgresConnectionString.Parse(db));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", error.Message, StringComparison.Ordinal);
    }
}
