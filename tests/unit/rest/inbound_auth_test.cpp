#include "rest/inbound_auth.hpp"

#include <gtest/gtest.h>

namespace capstan::rest {
namespace {

InboundAuth bearer(std::string token) { return InboundAuth{"bearer", std::move(token), "", ""}; }

TEST(InboundAuth, BearerNeedsTheExactToken) {
  auto auth = bearer("s3cret");
  EXPECT_TRUE(isAuthorized(auth, "Bearer s3cret", std::nullopt));
  EXPECT_FALSE(isAuthorized(auth, "Bearer s3cre", std::nullopt)) << "a prefix is not the token";
  EXPECT_FALSE(isAuthorized(auth, "Bearer s3cretX", std::nullopt)) << "nor an extension of it";
  EXPECT_FALSE(isAuthorized(auth, "s3cret", std::nullopt)) << "the scheme is required";
  EXPECT_FALSE(isAuthorized(auth, std::nullopt, std::nullopt));
}

TEST(InboundAuth, BearerSchemeNameIsCaseInsensitive) {
  // RFC 9110 §11.1: the auth-scheme is matched case-insensitively.
  EXPECT_TRUE(isAuthorized(bearer("t"), "bearer t", std::nullopt));
}

TEST(InboundAuth, BasicComparesTheDecodedUserAndPassword) {
  InboundAuth auth{"basic", "alice:pa:ss", "", ""};
  // "alice:pa:ss" in base64 (RFC 4648 §4); a password may contain ':' (RFC 7617 §2).
  EXPECT_TRUE(isAuthorized(auth, "Basic YWxpY2U6cGE6c3M=", std::nullopt));
  EXPECT_FALSE(isAuthorized(auth, "Basic YWxpY2U6cGE=", std::nullopt));
  EXPECT_FALSE(isAuthorized(auth, "Basic !!!", std::nullopt)) << "not base64";
}

TEST(InboundAuth, ApiKeyIgnoresTheAuthorizationHeader) {
  InboundAuth auth{"apikey", "k1", "X-Api-Key", "header"};
  EXPECT_TRUE(isAuthorized(auth, std::nullopt, "k1"));
  EXPECT_FALSE(isAuthorized(auth, "Bearer k1", std::nullopt)) << "the key is looked up by name";
}

TEST(InboundAuth, ConstantTimeEqualsIsPlainEqualityInResult) {
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "ab"));
  EXPECT_FALSE(constantTimeEquals("", "a"));
  EXPECT_TRUE(constantTimeEquals("", ""));
}

TEST(InboundAuth, ChallengeNamesTheScheme) {
  // RFC 6750 §3 / RFC 7617 §2: the 401 says which scheme to use.
  EXPECT_EQ(challengeFor(bearer("x")).rfind("Bearer ", 0), 0u);
  EXPECT_EQ(challengeFor(InboundAuth{"basic", "a:b", "", ""}).rfind("Basic ", 0), 0u);
}

}  // namespace
}  // namespace capstan::rest
