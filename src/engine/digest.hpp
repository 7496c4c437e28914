// HTTP Digest access authentication, client side (RFC 7616): the answer to a server's
// `WWW-Authenticate: Digest ...` challenge.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace capstan::engine {

struct DigestChallenge {
  std::string realm;
  std::string nonce;
  std::string opaque;
  std::string algorithm = "MD5";  // MD5 | SHA-256 (the -sess variants are not offered by capstan)
  bool qop_auth = false;          // the server offered qop=auth
};

// Parses one `WWW-Authenticate` value; nullopt unless it is a Digest challenge capstan can
// answer (RFC 7616 §3.3: realm and nonce present, algorithm MD5 or SHA-256, qop absent or auth).
std::optional<DigestChallenge> parseDigestChallenge(std::string_view header);

// The `Authorization` value for `method` on `uri` (the request-target, RFC 7616 §3.4). `cnonce`
// is the client nonce; callers pass a fresh random one for every request.
std::string digestAuthorization(const DigestChallenge& challenge, std::string_view username,
                                std::string_view password, std::string_view method,
                                std::string_view uri, std::string_view cnonce);

}  // namespace capstan::engine
