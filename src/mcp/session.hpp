// MCP sessions for the initialize-based revisions (MCP 2025-11-25, transports: session
// management). A session id is signed, so any capstan instance holding the same key accepts it:
// scale-out needs neither sticky routing nor a shared store. Sessions only carry protocol state
// (negotiated revision, log level, in-flight requests); they never authenticate anyone.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mcp/protocol.hpp"

namespace capstan::mcp {

// Protocol state of one client connection (an HTTP session, or the whole stdio stream).
class Session {
 public:
  Session(std::string id, std::string protocol_version)
      : id_(std::move(id)), protocol_version_(std::move(protocol_version)) {}

  const std::string& id() const { return id_; }
  std::string protocolVersion() const;
  void setProtocolVersion(std::string version);

  std::optional<LogLevel> logLevel() const;
  void setLogLevel(LogLevel level);

  json::object clientCapabilities() const;
  void setClientCapabilities(json::object capabilities);

  // Registers a cancel action for the in-flight request `request_key` (the id as JSON text).
  void addInFlight(const std::string& request_key, std::function<void()> cancel);
  void removeInFlight(const std::string& request_key);
  // Runs the cancel action of `request_key` if that request is still running.
  bool cancelInFlight(const std::string& request_key);

  // Server-to-client requests waiting for the client's answer: id -> completion.
  void addPending(const std::string& request_key, std::function<void(json::value)> complete);
  void removePending(const std::string& request_key);
  bool completePending(const std::string& request_key, json::value response);
  std::int64_t nextOutgoingId();

 private:
  mutable std::mutex mutex_;
  std::string id_;
  std::string protocol_version_;
  std::optional<LogLevel> log_level_;
  json::object client_capabilities_;
  std::unordered_map<std::string, std::function<void()>> in_flight_;
  std::unordered_map<std::string, std::function<void(json::value)>> pending_;
  std::int64_t next_outgoing_id_ = 1;
};

struct SessionOptions {
  // HMAC key; empty means a random key for this process.
  std::string key;
  // A session unused this long is gone (404), per MCP: the server MAY terminate sessions.
  std::chrono::seconds idle_ttl{std::chrono::hours(1)};
  // Upper bound on any session's age; also bounds how long deleted ids are remembered.
  std::chrono::seconds max_lifetime{std::chrono::hours(24)};
  std::function<std::chrono::system_clock::time_point()> clock;
  // Bounds memory against initialize floods: past this many live sessions the least recently
  // used one is dropped (its signed id is adopted again if its client comes back).
  std::size_t max_live = 10'000;
  // Bounds the memory of deleted ids the same way (the oldest are forgotten first).
  std::size_t max_dead = 100'000;
};

// The key for session ids: `CAPSTAN_MCP_SESSION_KEY` when set, else empty (random per process).
std::string sessionKeyFromEnvironment();

class SessionStore {
 public:
  explicit SessionStore(SessionOptions options = {});

  std::shared_ptr<Session> create(std::string protocol_version);

  // The live session for `id`, or nullptr when the id is forged, expired or was deleted (all
  // answered 404). A well-signed id minted by another instance is adopted here.
  std::shared_ptr<Session> find(std::string_view id);

  // Ends the session; returns false when `id` was not a live session.
  bool remove(std::string_view id);

  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<Session> session;
    std::chrono::system_clock::time_point last_seen;
  };
  struct Decoded {
    std::string protocol_version;
    std::chrono::system_clock::time_point issued;
  };

  std::chrono::system_clock::time_point now() const;
  std::string sign(std::string_view payload) const;
  std::optional<Decoded> verify(std::string_view id) const;
  void sweepLocked(std::chrono::system_clock::time_point now);
  void boundLocked(std::string_view just_deleted = {});

  SessionOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> live_;
  // Deleted or expired ids, kept until they would have outlived max_lifetime anyway.
  std::unordered_map<std::string, std::chrono::system_clock::time_point> dead_;
  std::chrono::system_clock::time_point last_sweep_{};
};

}  // namespace capstan::mcp
