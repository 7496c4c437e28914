// JSONPath and output shaping over a ~100 KB Midjourney-like job list
// ({data:[job...], total, limit, offset}, jobs shaped after
// reference/midjourney/midjourney-image-generation-job-schema.json).
#include <benchmark/benchmark.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "jsonpath/jsonpath.hpp"
#include "shaping/shaper.hpp"

namespace capstan {
namespace {

constexpr int kJobs = 160;

boost::json::object makeJob(int i) {
  static const char* const kStatuses[] = {"pending", "in_progress", "completed", "failed",
                                          "cancelled"};
  static const char* const kTypes[] = {"imagine", "upscale", "variation", "describe", "blend"};
  std::string id = "5f0c" + std::to_string(1000 + i) + "-7e1a-4c2b-9d3e-1a2b3c4d5e6f";
  const char* status = kStatuses[i % 5];
  boost::json::object job;
  job["id"] = id;
  job["type"] = kTypes[i % 5];
  job["status"] = status;
  job["progress"] = (i * 37) % 101;
  job["prompt"] = "a lighthouse on a cliff at dusk, volumetric light, oil painting, number " +
                  std::to_string(i);
  job["parameters"] = {{"aspect_ratio", "16:9"}, {"model_version", i % 2 ? "6.1" : "7.0"},
                       {"process_mode", "fast"}, {"quality", 1.0},
                       {"stylize", 100 + i},     {"chaos", i % 100},
                       {"seed", 1000003 * i}};
  if (std::string_view(status) == "completed") {
    boost::json::array images;
    for (int k = 1; k <= 4; ++k) {
      images.push_back(
          {{"url", "https://cdn.midjourney.com/" + id + "/" + std::to_string(k) + ".png"},
           {"index", k},
           {"width", 1456},
           {"height", 816},
           {"content_type", "image/png"}});
    }
    job["result"] = {{"images", std::move(images)}};
    job["completed_at"] = "2026-05-19T10:21:07Z";
  } else if (std::string_view(status) == "failed") {
    job["error"] = {{"code", "content_moderation"}, {"message", "The prompt was rejected."}};
  }
  job["webhook_url"] = "https://hooks.example.com/midjourney/" + id;
  job["webhook_type"] = "result";
  job["created_at"] = "2026-05-19T10:20:00Z";
  job["updated_at"] = "2026-05-19T10:21:07Z";
  return job;
}

const boost::json::value& jobList() {
  static const boost::json::value kDocument = [] {
    boost::json::array data;
    for (int i = 0; i < kJobs; ++i) data.push_back(makeJob(i));
    boost::json::object list;
    list["data"] = std::move(data);
    list["total"] = 2400;
    list["limit"] = kJobs;
    list["offset"] = 0;
    return boost::json::value(std::move(list));
  }();
  return kDocument;
}

std::int64_t documentBytes() {
  static const auto kBytes = static_cast<std::int64_t>(boost::json::serialize(jobList()).size());
  return kBytes;
}

constexpr const char* kIdsQuery = "$.data[*].id";
constexpr const char* kUrlsQuery = "$..url";
constexpr const char* kFilterQuery =
    "$.data[?@.status == 'completed' && @.progress >= 50 && "
    "match(@.parameters.model_version, '7\\\\..*')].id";

// Compile and evaluate on every iteration: the cost of a one-off query.
void BM_CompileAndSelect(benchmark::State& state, const char* text) {
  const auto& document = jobList();
  std::size_t nodes = 0;
  for (auto _ : state) {
    auto query = jsonpath::compile(text);
    auto result = query->select(document);
    nodes = result.size();
    benchmark::DoNotOptimize(result.data());
  }
  state.counters["nodes"] = static_cast<double>(nodes);
  state.counters["doc_bytes"] = static_cast<double>(documentBytes());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * documentBytes());
}

// Evaluate a query compiled once: the request-path cost of a mapping.
void BM_Select(benchmark::State& state, const char* text) {
  const auto& document = jobList();
  auto query = jsonpath::compile(text).value();
  jsonpath::NodeList nodes;
  for (auto _ : state) {
    nodes.clear();
    query.selectInto(document, nodes);
    benchmark::DoNotOptimize(nodes.data());
  }
  state.counters["nodes"] = static_cast<double>(nodes.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * documentBytes());
}

void BM_Compile(benchmark::State& state, const char* text) {
  for (auto _ : state) {
    auto query = jsonpath::compile(text);
    benchmark::DoNotOptimize(&query);
  }
}

BENCHMARK_CAPTURE(BM_CompileAndSelect, data_ids, kIdsQuery);
BENCHMARK_CAPTURE(BM_CompileAndSelect, descendant_url, kUrlsQuery);
BENCHMARK_CAPTURE(BM_CompileAndSelect, filter, kFilterQuery);
BENCHMARK_CAPTURE(BM_Select, data_ids, kIdsQuery);
BENCHMARK_CAPTURE(BM_Select, descendant_url, kUrlsQuery);
BENCHMARK_CAPTURE(BM_Select, filter, kFilterQuery);
BENCHMARK_CAPTURE(BM_Compile, filter, kFilterQuery);

shaping::OutputSpec field(std::string name, std::string type, std::string mapping) {
  shaping::OutputSpec spec;
  spec.name = std::move(name);
  spec.type = std::move(type);
  spec.mapping = std::move(mapping);
  return spec;
}

// A 10-field `properties` mapping applied to every job of the list, plus the paging fields.
std::vector<shaping::OutputSpec> jobListOutputs() {
  shaping::OutputSpec job;
  job.type = "object";
  job.properties = {
      field("id", "string", "$.id"),
      field("kind", "string", "$.type"),
      field("status", "string", "$.status"),
      field("progress", "integer", "$.progress"),
      field("prompt", "string", "$.prompt"),
      field("model", "string", "$.parameters.model_version"),
      field("stylize", "integer", "$.parameters.stylize"),
      field("first_image", "string", "$.result.images[0].url"),
      field("image_urls", "array", "$.result.images[*].url"),
      field("created_at", "string", "$.created_at"),
  };
  job.properties[4].max_length = 40;
  shaping::OutputSpec jobs = field("jobs", "array", "$.data");
  jobs.items = std::make_shared<shaping::OutputSpec>(std::move(job));
  return {jobs, field("total", "integer", "$.total"), field("limit", "integer", "$.limit"),
          field("offset", "integer", "$.offset")};
}

void BM_ShapeJobList(benchmark::State& state) {
  const auto& document = jobList();
  auto shaper = shaping::compileShaper(jobListOutputs()).value();
  for (auto _ : state) {
    auto shaped = shaper.apply(document);
    benchmark::DoNotOptimize(&shaped);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * documentBytes());
}
BENCHMARK(BM_ShapeJobList);

// The seed's `mapping: $.`: the engine checks isIdentity() and passes the body through.
void BM_ShapeIdentityCheck(benchmark::State& state) {
  shaping::OutputSpec seed = field("", "object", "$.");
  auto shaper = shaping::compileShaper({seed}).value();
  for (auto _ : state) benchmark::DoNotOptimize(shaper.isIdentity());
}
BENCHMARK(BM_ShapeIdentityCheck);

}  // namespace
}  // namespace capstan
