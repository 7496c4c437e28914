// Pure helpers of the upstream client: gzip decoding and proxy selection.
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "upstream/client.hpp"

namespace capstan::upstream {

namespace {

std::string lowerAscii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::string> firstEnv(
    const std::function<std::optional<std::string>(const std::string&)>& env_lookup,
    std::initializer_list<const char*> names) {
  for (const char* name : names) {
    std::optional<std::string> value;
    if (env_lookup) {
      value = env_lookup(name);
    } else if (const char* raw = std::getenv(name)) {
      value = raw;
    }
    if (value && !value->empty()) return value;
  }
  return std::nullopt;
}

bool isLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

// NO_PROXY entries: `*`, exact hosts, and domain suffixes with or without a leading dot.
bool excludedByNoProxy(std::string_view host, std::string_view no_proxy) {
  const std::string lower_host = lowerAscii(host);
  while (!no_proxy.empty()) {
    const auto comma = no_proxy.find(',');
    std::string entry = lowerAscii(trimBlanks(no_proxy.substr(0, comma)));
    no_proxy = comma == std::string_view::npos ? std::string_view{} : no_proxy.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.front() == '.') entry.erase(0, 1);
    if (lower_host == entry) return true;
    if (lower_host.size() > entry.size() && lower_host.ends_with(entry) &&
        lower_host[lower_host.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> gunzip(std::string_view compressed, std::size_t limit, bool& too_large) {
  too_large = false;
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip wrapper (zlib manual, inflateInit2).
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  char chunk[16 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(chunk, sizeof(chunk) - stream.avail_out);
    if (out.size() > limit) {
      too_large = true;
      break;
    }
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) break;  // truncated input
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END || too_large) return std::nullopt;
  return out;
}

std::optional<std::string> proxyFor(
    std::string_view scheme, std::string_view host,
    const std::function<std::optional<std::string>(const std::string&)>& env_lookup) {
  // Like Go's net/http: loopback never goes through a proxy, so local upstreams (the sandbox)
  // keep working on machines with a corporate proxy configured.
  if (isLoopbackHost(host)) return std::nullopt;
  if (auto no_proxy = firstEnv(env_lookup, {"NO_PROXY", "no_proxy"});
      no_proxy && excludedByNoProxy(host, *no_proxy)) {
    return std::nullopt;
  }
  if (scheme == "https") return firstEnv(env_lookup, {"HTTPS_PROXY", "https_proxy"});
  // Lower-case only for http: the upper-case form is attacker-controllable in CGI (httpoxy).
  return firstEnv(env_lookup, {"http_proxy"});
}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return std::nullopt;
}

std::string_view failureName(Failure failure) {
  switch (failure) {
    case Failure::kNone:
      return "none";
    case Failure::kConnect:
      return "connect";
    case Failure::kTls:
      return "tls";
    case Failure::kTimeout:
      return "timeout";
    case Failure::kProtocol:
      return "protocol";
    case Failure::kTooLarge:
      return "too_large";
    case Failure::kBadEncoding:
      return "bad_encoding";
    case Failure::kRedirectRefused:
      return "redirect_refused";
    case Failure::kBadUrl:
      return "bad_url";
    case Failure::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace capstan::upstream
