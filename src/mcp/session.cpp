#include "mcp/session.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <stdexcept>

#include "support/hex.hpp"

namespace capstan::mcp {

std::string Session::protocolVersion() const {
  std::lock_guard lock(mutex_);
  return protocol_version_;
}

void Session::setProtocolVersion(std::string version) {
  std::lock_guard lock(mutex_);
  protocol_version_ = std::move(version);
}

std::optional<LogLevel> Session::logLevel() const {
  std::lock_guard lock(mutex_);
  return log_level_;
}

void Session::setLogLevel(LogLevel level) {
  std::lock_guard lock(mutex_);
  log_level_ = level;
}

json::object Session::clientCapabilities() const {
  std::lock_guard lock(mutex_);
  return client_capabilities_;
}

void Session::setClientCapabilities(json::object capabilities) {
  std::lock_guard lock(mutex_);
  client_capabilities_ = std::move(capabilities);
}

void Session::addInFlight(const std::string& request_key, std::function<void()> cancel) {
  std::lock_guard lock(mutex_);
  in_flight_[request_key] = std::move(cancel);
}

void Session::removeInFlight(const std::string& request_key) {
  std::lock_guard lock(mutex_);
  in_flight_.erase(request_key);
}

bool Session::cancelInFlight(const std::string& request_key) {
  std::function<void()> cancel;
  {
    std::lock_guard lock(mutex_);
    auto found = in_flight_.find(request_key);
    if (found == in_flight_.end()) return false;
    cancel = found->second;
  }
  cancel();
  return true;
}

void Session::addPending(const std::string& request_key,
                         std::function<void(json::value)> complete) {
  std::lock_guard lock(mutex_);
  pending_[request_key] = std::move(complete);
}

void Session::removePending(const std::string& request_key) {
  std::lock_guard lock(mutex_);
  pending_.erase(request_key);
}

bool Session::completePending(const std::string& request_key, json::value response) {
  std::function<void(json::value)> complete;
  {
    std::lock_guard lock(mutex_);
    auto found = pending_.find(request_key);
    if (found == pending_.end()) return false;
    complete = std::move(found->second);
    pending_.erase(found);
  }
  complete(std::move(response));
  return true;
}

std::int64_t Session::nextOutgoingId() {
  std::lock_guard lock(mutex_);
  return next_outgoing_id_++;
}

std::string sessionKeyFromEnvironment() {
  const char* key = std::getenv("CAPSTAN_MCP_SESSION_KEY");
  return key != nullptr ? std::string(key) : std::string();
}

namespace {

std::string randomHex(std::size_t bytes) {
  std::array<unsigned char, 64> buffer{};
  if (bytes > buffer.size() || RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("no random bytes available for MCP session ids");
  }
  return capstan::toHex(buffer.data(), bytes);
}

// Session ids look like `<random>.<issued-seconds>.<revision>.<hmac>`: visible ASCII only, as
// MCP 2025-11-25 requires for Mcp-Session-Id.
constexpr char kSeparator = '.';

}  // namespace

SessionStore::SessionStore(SessionOptions options) : options_(std::move(options)) {
  if (options_.key.empty()) options_.key = randomHex(32);
}

std::chrono::system_clock::time_point SessionStore::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

std::string SessionStore::sign(std::string_view payload) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), options_.key.data(), static_cast<int>(options_.key.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac.data(),
       &mac_size);
  return capstan::toHex(mac.data(), mac_size);
}

std::optional<SessionStore::Decoded> SessionStore::verify(std::string_view id) const {
  auto last = id.rfind(kSeparator);
  if (last == std::string_view::npos || id.size() > 256) return std::nullopt;
  auto payload = id.substr(0, last);
  auto mac = id.substr(last + 1);
  auto expected = sign(payload);
  if (mac.size() != expected.size() ||
      CRYPTO_memcmp(mac.data(), expected.data(), mac.size()) != 0) {
    return std::nullopt;
  }

  auto first = payload.find(kSeparator);
  auto second = payload.find(kSeparator, first == std::string_view::npos ? first : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return std::nullopt;
  Decoded decoded;
  auto seconds_text = std::string(payload.substr(first + 1, second - first - 1));
  char* end = nullptr;
  long long seconds = std::strtoll(seconds_text.c_str(), &end, 10);
  if (end == seconds_text.c_str() || *end != '\0') return std::nullopt;
  decoded.issued = std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
  decoded.protocol_version = std::string(payload.substr(second + 1));
  if (!isLegacyVersion(decoded.protocol_version)) return std::nullopt;
  return decoded;
}

std::shared_ptr<Session> SessionStore::create(std::string protocol_version) {
  auto issued = now();
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(issued.time_since_epoch()).count();
  std::string payload = randomHex(16);
  payload += kSeparator;
  payload += std::to_string(seconds);
  payload += kSeparator;
  payload += protocol_version;
  std::string id = payload + kSeparator + sign(payload);

  auto session = std::make_shared<Session>(id, std::move(protocol_version));
  std::lock_guard lock(mutex_);
  sweepLocked(issued);
  live_[id] = Entry{session, issued};
  boundLocked();
  return session;
}

void SessionStore::boundLocked(std::string_view just_deleted) {
  auto oldest = [](auto& map, auto key_of) {
    return std::min_element(map.begin(), map.end(),
                            [&](const auto& a, const auto& b) { return key_of(a) < key_of(b); });
  };
  while (live_.size() > options_.max_live) {
    live_.erase(oldest(live_, [](const auto& entry) { return entry.second.last_seen; }));
  }
  while (dead_.size() > options_.max_dead) {
    // The id just deleted is never the one forgotten, whatever the ties in expiry.
    dead_.erase(oldest(dead_, [&](const auto& entry) {
      return entry.first == just_deleted ? std::chrono::system_clock::time_point::max()
                                         : entry.second;
    }));
  }
}

std::shared_ptr<Session> SessionStore::find(std::string_view id) {
  auto decoded = verify(id);
  if (!decoded) return nullptr;
  auto current = now();
  std::string key(id);

  std::lock_guard lock(mutex_);
  sweepLocked(current);
  if (dead_.count(key) != 0) return nullptr;
  if (current - decoded->issued > options_.max_lifetime) return nullptr;
  auto found = live_.find(key);
  if (found != live_.end()) {
    if (current - found->second.last_seen > options_.idle_ttl) {
      live_.erase(found);
      dead_[key] = decoded->issued + options_.max_lifetime;
      return nullptr;
    }
    found->second.last_seen = current;
    return found->second.session;
  }
  // Minted by another instance sharing the key (or before a restart): adopt it.
  auto session = std::make_shared<Session>(key, decoded->protocol_version);
  live_[key] = Entry{session, current};
  boundLocked();
  return session;
}

bool SessionStore::remove(std::string_view id) {
  auto decoded = verify(id);
  if (!decoded) return false;
  std::string key(id);
  std::lock_guard lock(mutex_);
  if (dead_.count(key) != 0) return false;
  live_.erase(key);
  dead_[key] = decoded->issued + options_.max_lifetime;
  boundLocked(key);
  return true;
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

void SessionStore::sweepLocked(std::chrono::system_clock::time_point current) {
  if (current - last_sweep_ < std::chrono::seconds(60)) return;
  last_sweep_ = current;
  for (auto it = live_.begin(); it != live_.end();) {
    if (current - it->second.last_seen > options_.idle_ttl) {
      dead_[it->first] = current + options_.max_lifetime;
      it = live_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = dead_.begin(); it != dead_.end();) {
    it = it->second < current ? dead_.erase(it) : std::next(it);
  }
}

}  // namespace capstan::mcp
