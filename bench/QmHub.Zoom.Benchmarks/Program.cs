using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(QmHub.Zoom.Benchmarks.DeliveryBenchmarks).Assembly).Run(args);
