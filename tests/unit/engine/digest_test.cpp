// Digest access authentication against the worked example of RFC 7616 §3.9.1.
#include "engine/digest.hpp"

#include <gtest/gtest.h>

namespace capstan::engine {
namespace {

constexpr const char* kChallengeMd5 =
    R"(Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, )"
    R"(nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", )"
    R"(opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")";
constexpr const char* kCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

TEST(Digest, ChallengeIsParsed) {
  auto challenge = parseDigestChallenge(kChallengeMd5);
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->realm, "http-auth@example.org");
  EXPECT_EQ(challenge->nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  EXPECT_EQ(challenge->opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  EXPECT_TRUE(challenge->qop_auth);
  EXPECT_EQ(challenge->algorithm, "MD5");
}

TEST(Digest, Md5ResponseMatchesRfc7616Example) {
  auto challenge = parseDigestChallenge(kChallengeMd5);
  ASSERT_TRUE(challenge);
  auto header = digestAuthorization(*challenge, "Mufasa", "Circle of Life", "GET",
                                    "/dir/index.html", kCnonce);
  EXPECT_NE(header.find(R"(response="8ca523f5e9506fed4657c9700eebdbec")"), std::string::npos)
      << header;
  EXPECT_NE(header.find("nc=00000001"), std::string::npos) << header;
  EXPECT_NE(header.find(R"(opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")"),
            std::string::npos);
}

TEST(Digest, Sha256ResponseMatchesRfc7616Example) {
  std::string sha = kChallengeMd5;
  sha.replace(sha.find("algorithm=MD5"), 13, "algorithm=SHA-256");
  auto challenge = parseDigestChallenge(sha);
  ASSERT_TRUE(challenge);
  auto header = digestAuthorization(*challenge, "Mufasa", "Circle of Life", "GET",
                                    "/dir/index.html", kCnonce);
  EXPECT_NE(
      header.find(R"(response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")"),
      std::string::npos)
      << header;
}

TEST(Digest, OtherSchemesAndUnanswerableChallengesAreNotDigest) {
  EXPECT_FALSE(parseDigestChallenge(R"(Bearer realm="x")"));
  EXPECT_FALSE(parseDigestChallenge(R"(Digest realm="x")")) << "no nonce";
  EXPECT_FALSE(parseDigestChallenge(R"(Digest realm="x", nonce="n", algorithm=SHA-512-256)"));
  EXPECT_FALSE(parseDigestChallenge(R"(Digest realm="x", nonce="n", qop="auth-int")"));
  EXPECT_TRUE(parseDigestChallenge(R"(digest realm="x", nonce="n")")) << "scheme is caseless";
}

}  // namespace
}  // namespace capstan::engine
