// The engine's request path for the seed's REST list (validate and coerce the query, build the
// upstream request, check the JSON answer, pass it through), with the upstream replaced by a
// canned ~10 KB job list: what capstan adds per request before any socket work (#5).
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/engine.hpp"
#include "spec/loader.hpp"
#include "upstream/client.hpp"

namespace {

namespace asio = boost::asio;
using capstan::upstream::Request;
using capstan::upstream::Result;

std::string jobList(int count) {
  std::string body = R"({"data":[)";
  for (int i = 0; i < count; ++i) {
    if (i > 0) body += ',';
    body += R"({"id":"3f1c0b9e-6a2d-4c1e-9f3b-0000000000)" + std::to_string(10 + i) +
            R"(","type":"imagine","status":"completed","progress":100,)"
            R"("prompt":"a lighthouse at dusk, volumetric light, 35mm","created_at":)"
            R"("2026-05-19T10:00:00Z","completed_at":"2026-05-19T10:01:00Z","results":)"
            R"([{"url":"http://127.0.0.1:4010/images/x/0.png","width":1024,"height":1024},)"
            R"({"url":"http://127.0.0.1:4010/images/x/1.png","width":1024,"height":1024}]})";
  }
  body += R"(],"total":72,"limit":10,"offset":0})";
  return body;
}

class CannedUpstream final : public capstan::upstream::Transport {
 public:
  explicit CannedUpstream(std::string body) : body_(std::move(body)) {}
  asio::awaitable<Result> send(Request request, asio::cancellation_slot) override {
    benchmark::DoNotOptimize(request.url.data());
    Result result;
    result.response.status = 200;
    result.response.headers = {{"Content-Type", "application/json"}};
    result.response.body = body_;
    co_return result;
  }

 private:
  std::string body_;
};

void BM_RestListThroughEngine(benchmark::State& state) {
  auto loaded = capstan::spec::loadDocument(CAPSTAN_SEED_CAPABILITY);
  if (!loaded.ok()) throw std::runtime_error("seed capability does not load");
  asio::io_context io;
  capstan::engine::EngineOptions options;
  options.env_lookup = [](const std::string&) -> std::optional<std::string> {
    return std::string("bench-token");
  };
  const std::string body = jobList(static_cast<int>(state.range(0)));
  options.transport = std::make_shared<CannedUpstream>(body);
  capstan::engine::Engine engine(*loaded.document, io.get_executor(), std::move(options));
  const auto* list =
      engine.operationsOf(capstan::engine::Surface::kRest, "image-generation-jobs-rest").at(0);
  const boost::json::object arguments{{"status", "completed"}, {"limit", "10"}};

  for (auto _ : state) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto outcome = co_await engine.call(*list, arguments);
          if (!outcome.ok()) throw std::runtime_error("call failed");
          benchmark::DoNotOptimize(outcome.body.data());
        },
        asio::detached);
    io.restart();
    io.run();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_RestListThroughEngine)->Arg(1)->Arg(10)->Arg(100);

}  // namespace
