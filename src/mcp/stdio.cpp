#include "mcp/stdio.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/parse.hpp>
#include <condition_variable>
#include <csignal>
#include <istream>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "support/json_text.hpp"

namespace capstan::mcp {

namespace {

constexpr std::chrono::seconds kDrainBound{5};
// As the HTTP transport's body limit.
constexpr std::size_t kMaxLineBytes = 1024 * 1024;
constexpr std::size_t kMaxQueuedLines = 64;

enum class LineRead { kLine, kTooLong, kEnd };

// One newline-terminated line of at most kMaxLineBytes; a longer one is read to its end and
// dropped, so a client cannot make capstan buffer without bound.
LineRead readLine(std::istream& in, std::string& line) {
  line.clear();
  bool too_long = false;
  std::streambuf* buffer = in.rdbuf();
  for (;;) {
    const int c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      if (too_long) return LineRead::kTooLong;
      return line.empty() ? LineRead::kEnd : LineRead::kLine;
    }
    if (c == '\n') return too_long ? LineRead::kTooLong : LineRead::kLine;
    if (too_long) continue;
    if (line.size() >= kMaxLineBytes) {
      too_long = true;
      line.clear();
      line.shrink_to_fit();
      continue;
    }
    line.push_back(static_cast<char>(c));
  }
}

struct StdioState {
  StdioState(McpServer& server_in, boost::asio::io_context& io, std::ostream& out_in)
      : server(server_in), strand(boost::asio::make_strand(io)), out(out_in), io_for_stop(io) {}

  McpServer& server;
  boost::asio::strand<boost::asio::io_context::executor_type> strand;
  std::ostream& out;
  boost::asio::io_context& io_for_stop;
  std::atomic<bool> output_lost{false};
  std::mutex out_mutex;
  // One stdio stream is one session (MCP: the lifetime of the process).
  std::shared_ptr<Session> session = std::make_shared<Session>("stdio", std::string());
  bool initialized_version = false;
  std::size_t in_flight = 0;  // guarded by the strand
  std::mutex queue_mutex;
  std::condition_variable queue_space;
  std::size_t queued = 0;   // lines posted but not yet dispatched; guarded by queue_mutex
  bool input_done = false;  // guarded by the strand

  void write(const json::value& message) {
    std::string line = capstan::toJsonText(message);
    line.push_back('\n');
    std::lock_guard lock(out_mutex);
    out << line;
    out.flush();
    // The client closed stdout: nobody can read an answer any more, so the process ends.
    if (!out && !output_lost.exchange(true)) {
      spdlog::info("mcp: stdout closed by the client; stopping");
      io_for_stop.stop();
    }
  }

  Exchange makeExchange() {
    Exchange exchange;
    exchange.era = Era::kLegacy;
    exchange.session = session;
    exchange.protocol_version = session->protocolVersion();
    if (exchange.protocol_version.empty()) exchange.protocol_version = kLegacyVersions.front();
    exchange.send = [this](json::object message) { write(message); };
    exchange.client_requests = true;
    return exchange;
  }
};

boost::asio::awaitable<void> serveMessage(std::shared_ptr<StdioState> state, json::object message) {
  auto exchange = state->makeExchange();
  const auto* meta = metaOf(message);
  bool modern =
      !stringAt(meta, kMetaProtocolVersion).empty() && message.at("method") != "initialize";
  if (modern) {
    std::string_view version = stringAt(meta, kMetaProtocolVersion);
    if (version != kModernVersion) {
      json::object data;
      data["supported"] = supportedVersionList();
      data["requested"] = version;
      state->write(makeError(message.at("id"), ErrorCode::kUnsupportedProtocolVersion,
                             "Unsupported protocol version: " + std::string(version),
                             json::value(std::move(data))));
      co_return;
    }
    exchange.era = Era::kModern;
    exchange.session = nullptr;
    exchange.protocol_version = std::string(version);
    exchange.client_requests = false;
    if (const auto* capabilities = meta->if_contains(kMetaClientCapabilities);
        capabilities != nullptr && capabilities->is_object()) {
      exchange.client_capabilities = capabilities->get_object();
    }
    exchange.log_level = parseLogLevel(stringAt(meta, kMetaLogLevel));
  }
  auto reply = co_await state->server.handle(message, exchange);
  if (reply) state->write(*reply);
}

void finishOne(const std::shared_ptr<StdioState>& state, boost::asio::io_context& io) {
  --state->in_flight;
  if (state->input_done && state->in_flight == 0) io.stop();
}

// Runs on the strand for each input line.
void dispatchLine(const std::shared_ptr<StdioState>& state, boost::asio::io_context& io,
                  const std::string& line) {
  // After SIGTERM (or EOF) nothing new starts; what is in flight finishes.
  if (state->input_done) return;
  if (line.find_first_not_of(" \t\r") == std::string::npos) return;
  boost::system::error_code ec;
  auto value = json::parse(line, ec);
  if (ec) {
    state->write(makeError(nullptr, ErrorCode::kParseError, "Parse error: " + ec.message()));
    return;
  }
  // Batches were removed after 2025-03-26 and are never used by stdio clients in practice.
  if (!value.is_object()) {
    state->write(makeError(nullptr, ErrorCode::kInvalidRequest,
                           "Invalid Request: one JSON-RPC object per line"));
    return;
  }
  auto& message = value.get_object();
  auto exchange = state->makeExchange();
  switch (classifyMessage(message)) {
    case MessageKind::kInvalid:
      state->write(makeError(nullptr, ErrorCode::kInvalidRequest, "Invalid Request"));
      return;
    case MessageKind::kResponse:
      state->server.acceptClientResponse(message, exchange);
      return;
    case MessageKind::kNotification:
    case MessageKind::kRequest:
      break;
  }
  if (message.at("method") == "initialize") {
    auto requested = stringAt(paramsOf(message), "protocolVersion");
    state->session->setProtocolVersion(negotiateVersion(requested));
  }
  ++state->in_flight;
  boost::asio::co_spawn(state->strand, serveMessage(state, std::move(message)),
                        [state, &io](std::exception_ptr failure) {
                          if (failure) spdlog::error("mcp stdio: a request handler failed");
                          finishOne(state, io);
                        });
}

}  // namespace

int runStdio(McpServer& server, boost::asio::io_context& io, std::istream& in, std::ostream& out) {
  auto state = std::make_shared<StdioState>(server, io, out);
  auto guard = boost::asio::make_work_guard(io);

  // Blocking reads stay off the event loop: stdin may be a pipe, a tty or a regular file, and
  // only the first of those works with epoll.
  std::thread reader([state, &io, &in] {
    std::string line;
    for (;;) {
      const LineRead read = readLine(in, line);
      if (read == LineRead::kEnd) break;
      if (read == LineRead::kTooLong) {
        state->write(makeError(nullptr, ErrorCode::kInvalidRequest,
                               "Invalid Request: a message is at most 1 MiB"));
        continue;
      }
      // Backpressure: a client that writes faster than capstan answers waits here, instead of
      // queueing lines without bound.
      {
        std::unique_lock lock(state->queue_mutex);
        state->queue_space.wait(lock, [&] { return state->queued < kMaxQueuedLines; });
        ++state->queued;
      }
      boost::asio::post(state->strand, [state, &io, line] {
        {
          std::lock_guard lock(state->queue_mutex);
          --state->queued;
        }
        state->queue_space.notify_one();
        dispatchLine(state, io, line);
      });
    }
    boost::asio::post(state->strand, [state, &io] {
      state->input_done = true;
      if (state->in_flight == 0) io.stop();
    });
  });

  // SIGINT/SIGTERM: no new lines are taken; calls in flight get kDrainBound to answer.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer drain(io);
  bool signalled = false;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    signalled = true;
    spdlog::info("mcp: signal {}: stopping once in-flight calls answer", signal);
    boost::asio::post(state->strand, [state, &io] {
      state->input_done = true;
      if (state->in_flight == 0) io.stop();
    });
    drain.expires_after(kDrainBound);
    drain.async_wait([&io](const boost::system::error_code& timer_ec) {
      if (!timer_ec) io.stop();
    });
  });

  spdlog::info("mcp: serving on stdio");
  io.run();
  guard.reset();
  if (signalled || state->output_lost) {
    // The reader may sit in a blocking read of a stdin that stays open: leave it to the exit.
    reader.detach();
    return 0;
  }
  reader.join();
  return 0;
}

}  // namespace capstan::mcp
