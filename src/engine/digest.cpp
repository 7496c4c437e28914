#include "engine/digest.hpp"

#include <openssl/evp.h>

#include <array>
#include <cctype>

#include "support/hex.hpp"

namespace capstan::engine {
namespace {

std::string hexDigest(std::string_view algorithm, std::string_view data) {
  const EVP_MD* md = algorithm == "SHA-256" ? EVP_sha256() : EVP_md5();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, md, nullptr);
  return toHex(digest.data(), size);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

void skipSpaces(std::string_view text, std::size_t& at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == ',')) ++at;
}

// RFC 9110 §11.2 auth-param: token "=" ( token / quoted-string ).
bool nextParam(std::string_view text, std::size_t& at, std::string& name, std::string& value) {
  skipSpaces(text, at);
  const auto equals = text.find('=', at);
  if (at >= text.size() || equals == std::string_view::npos) return false;
  name = std::string(text.substr(at, equals - at));
  while (!name.empty() && name.back() == ' ') name.pop_back();
  at = equals + 1;
  while (at < text.size() && text[at] == ' ') ++at;
  value.clear();
  if (at < text.size() && text[at] == '"') {
    for (++at; at < text.size() && text[at] != '"'; ++at) {
      if (text[at] == '\\' && at + 1 < text.size()) ++at;
      value.push_back(text[at]);
    }
    ++at;
  } else {
    while (at < text.size() && text[at] != ',' && text[at] != ' ') value.push_back(text[at++]);
  }
  return true;
}

}  // namespace

std::optional<DigestChallenge> parseDigestChallenge(std::string_view header) {
  constexpr std::string_view kScheme = "digest";
  if (header.size() <= kScheme.size() || !iequals(header.substr(0, kScheme.size()), kScheme) ||
      header[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  DigestChallenge challenge;
  bool qop_offered = false;
  std::size_t at = kScheme.size();
  std::string name;
  std::string value;
  while (nextParam(header, at, name, value)) {
    if (iequals(name, "realm")) challenge.realm = value;
    if (iequals(name, "nonce")) challenge.nonce = value;
    if (iequals(name, "opaque")) challenge.opaque = value;
    if (iequals(name, "algorithm")) challenge.algorithm = value;
    if (iequals(name, "qop")) {
      qop_offered = true;
      for (std::size_t start = 0; start <= value.size();) {
        auto end = value.find(',', start);
        std::string_view option = std::string_view(value).substr(start, end - start);
        while (!option.empty() && option.front() == ' ') option.remove_prefix(1);
        while (!option.empty() && option.back() == ' ') option.remove_suffix(1);
        if (option == "auth") challenge.qop_auth = true;
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
  }
  if (challenge.nonce.empty()) return std::nullopt;
  if (qop_offered && !challenge.qop_auth) return std::nullopt;  // only auth-int offered
  if (iequals(challenge.algorithm, "md5")) challenge.algorithm = "MD5";
  if (iequals(challenge.algorithm, "sha-256")) challenge.algorithm = "SHA-256";
  if (challenge.algorithm != "MD5" && challenge.algorithm != "SHA-256") return std::nullopt;
  return challenge;
}

std::string digestAuthorization(const DigestChallenge& challenge, std::string_view username,
                                std::string_view password, std::string_view method,
                                std::string_view uri, std::string_view cnonce) {
  // RFC 7616 §3.4.1-3.4.3.
  constexpr std::string_view kNonceCount = "00000001";
  const std::string& algorithm = challenge.algorithm;
  const std::string ha1 = hexDigest(
      algorithm, std::string(username) + ":" + challenge.realm + ":" + std::string(password));
  const std::string ha2 = hexDigest(algorithm, std::string(method) + ":" + std::string(uri));
  const std::string response =
      challenge.qop_auth
          ? hexDigest(algorithm, ha1 + ":" + challenge.nonce + ":" + std::string(kNonceCount) +
                                     ":" + std::string(cnonce) + ":auth:" + ha2)
          : hexDigest(algorithm, ha1 + ":" + challenge.nonce + ":" + ha2);

  std::string header = "Digest username=\"" + std::string(username) + "\", realm=\"" +
                       challenge.realm + "\", uri=\"" + std::string(uri) +
                       "\", algorithm=" + algorithm + ", nonce=\"" + challenge.nonce + "\"";
  if (challenge.qop_auth) {
    header +=
        ", nc=" + std::string(kNonceCount) + ", cnonce=\"" + std::string(cnonce) + "\", qop=auth";
  }
  header += ", response=\"" + response + "\"";
  if (!challenge.opaque.empty()) header += ", opaque=\"" + challenge.opaque + "\"";
  return header;
}

}  // namespace capstan::engine
