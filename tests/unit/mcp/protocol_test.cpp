// JSON-RPC framing and revision negotiation (JSON-RPC 2.0 §4-§5; MCP lifecycle, versioning).
#include "mcp/protocol.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace capstan::mcp {
namespace {

json::value parse(std::string_view text) { return json::parse(text); }

TEST(Negotiation, EchoesASupportedRevision) {
  EXPECT_EQ(negotiateVersion("2025-06-18"), "2025-06-18");
  EXPECT_EQ(negotiateVersion("2025-03-26"), "2025-03-26");
}

TEST(Negotiation, OffersTheNewestInitializeRevisionForAnUnknownOne) {
  EXPECT_EQ(negotiateVersion("2099-01-01"), "2025-11-25");
  EXPECT_EQ(negotiateVersion("2024-11-05"), "2025-11-25");
}

TEST(Negotiation, TheStatelessRevisionIsNotAnInitializeRevision) {
  EXPECT_TRUE(isSupportedVersion("2026-07-28"));
  EXPECT_FALSE(isLegacyVersion("2026-07-28"));
  EXPECT_TRUE(isLegacyVersion("2025-11-25"));
}

TEST(Negotiation, VersionsCompareByDate) {
  EXPECT_TRUE(versionAtLeast("2025-11-25", "2025-06-18"));
  EXPECT_FALSE(versionAtLeast("2025-03-26", "2025-06-18"));
}

TEST(Classify, RequestsNotificationsAndResponses) {
  EXPECT_EQ(classifyMessage(parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")),
            MessageKind::kRequest);
  EXPECT_EQ(classifyMessage(parse(R"({"jsonrpc":"2.0","id":"a","method":"ping"})")),
            MessageKind::kRequest);
  EXPECT_EQ(classifyMessage(parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")),
            MessageKind::kNotification);
  EXPECT_EQ(classifyMessage(parse(R"({"jsonrpc":"2.0","id":1,"result":{}})")),
            MessageKind::kResponse);
}

TEST(Classify, NullIdsWrongVersionsAndNonObjectsAreInvalid) {
  EXPECT_EQ(classifyMessage(parse(R"({"jsonrpc":"2.0","id":null,"method":"ping"})")),
            MessageKind::kInvalid);
  EXPECT_EQ(classifyMessage(parse(R"({"jsonrpc":"1.0","id":1,"method":"ping"})")),
            MessageKind::kInvalid);
  EXPECT_EQ(classifyMessage(parse(R"([1,2])")), MessageKind::kInvalid);
  EXPECT_EQ(classifyMessage(parse(R"({"hello":"world"})")), MessageKind::kInvalid);
}

TEST(Errors, CarryTheRequestIdAndAnIntegerCode) {
  auto error = makeError(json::value(7), ErrorCode::kInvalidParams, "bad");
  EXPECT_EQ(error.at("id"), 7);
  EXPECT_EQ(error.at("error").at("code"), -32602);
  EXPECT_EQ(error.at("jsonrpc"), "2.0");
}

TEST(Errors, AnUnidentifiedRequestGetsAnErrorWithoutId) {
  // MCP 2025-11-25 schema: JSONRPCErrorResponse.id is optional and a RequestId is never null.
  auto error = makeError(nullptr, ErrorCode::kParseError, "parse error");
  EXPECT_FALSE(error.contains("id"));
  EXPECT_EQ(error.at("error").at("code"), -32700);
}

TEST(LogLevels, ParseInSeverityOrder) {
  auto debug = parseLogLevel("debug");
  auto emergency = parseLogLevel("emergency");
  ASSERT_TRUE(debug && emergency);
  EXPECT_LT(*debug, *emergency);
  EXPECT_FALSE(parseLogLevel("loud"));
  EXPECT_EQ(logLevelName(LogLevel::kWarning), "warning");
}

}  // namespace
}  // namespace capstan::mcp
