// Signed sessions (MCP 2025-11-25, transports: session management; DESIGN.md "MCP").
#include "mcp/session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace capstan::mcp {
namespace {

using Clock = std::chrono::system_clock;

SessionOptions withKey(std::string key) {
  SessionOptions options;
  options.key = std::move(key);
  return options;
}

TEST(Sessions, AnIssuedIdIsVisibleAsciiAndFound) {
  SessionStore store(withKey("k"));
  auto session = store.create("2025-11-25");
  for (char c : session->id()) EXPECT_TRUE(c >= 0x21 && c <= 0x7e) << session->id();
  auto found = store.find(session->id());
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->protocolVersion(), "2025-11-25");
}

TEST(Sessions, ForgedIdsAreNotFound) {
  SessionStore store(withKey("k"));
  auto id = store.create("2025-11-25")->id();
  std::string forged = id;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(store.find(forged), nullptr);
  EXPECT_EQ(store.find("abc.1.2025-11-25.deadbeef"), nullptr);
  EXPECT_EQ(store.find(""), nullptr);
}

TEST(Sessions, ADeletedSessionStaysDead) {
  SessionStore store(withKey("k"));
  auto id = store.create("2025-06-18")->id();
  EXPECT_TRUE(store.remove(id));
  EXPECT_EQ(store.find(id), nullptr);
  EXPECT_FALSE(store.remove(id));
}

TEST(Sessions, AnotherInstanceWithTheSameKeyAcceptsTheId) {
  SessionStore first(withKey("shared"));
  SessionStore second(withKey("shared"));
  SessionStore stranger(withKey("other"));
  auto id = first.create("2025-03-26")->id();
  auto adopted = second.find(id);
  ASSERT_NE(adopted, nullptr);
  EXPECT_EQ(adopted->protocolVersion(), "2025-03-26");
  EXPECT_EQ(stranger.find(id), nullptr);
}

TEST(Sessions, LiveSessionsAreBoundedLeastRecentlyUsedFirst) {
  auto options = withKey("k");
  options.max_live = 3;
  SessionStore store(options);
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(store.create("2025-11-25")->id());
  EXPECT_EQ(store.size(), 3u) << "an initialize flood cannot grow memory without bound";
  // A dropped id is still well signed: its client is served again (adopted), not refused.
  EXPECT_NE(store.find(ids.front()), nullptr);
  EXPECT_EQ(store.size(), 3u);
}

TEST(Sessions, DeletedIdsAreBoundedToo) {
  auto options = withKey("k");
  options.max_dead = 2;
  SessionStore store(options);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(store.remove(store.create("2025-11-25")->id()));
  auto last = store.create("2025-11-25")->id();
  EXPECT_TRUE(store.remove(last));
  EXPECT_EQ(store.find(last), nullptr) << "the newest deleted id is remembered";
}

TEST(Sessions, RandomKeysDifferPerStore) {
  SessionStore first;
  SessionStore second;
  EXPECT_EQ(second.find(first.create("2025-11-25")->id()), nullptr);
}

TEST(Sessions, AnIdleSessionExpires) {
  auto now = Clock::now();
  SessionOptions options = withKey("k");
  options.idle_ttl = std::chrono::seconds(60);
  options.clock = [&now] { return now; };
  SessionStore store(options);
  auto id = store.create("2025-11-25")->id();
  now += std::chrono::seconds(30);
  EXPECT_NE(store.find(id), nullptr) << "used within the idle window";
  now += std::chrono::seconds(61);
  EXPECT_EQ(store.find(id), nullptr) << "idle longer than the window";
}

TEST(Sessions, NoSessionOutlivesItsMaximumLifetime) {
  auto now = Clock::now();
  SessionOptions options = withKey("k");
  options.max_lifetime = std::chrono::seconds(100);
  options.clock = [&now] { return now; };
  SessionStore store(options);
  auto id = store.create("2025-11-25")->id();
  for (int i = 0; i < 3; ++i) {
    now += std::chrono::seconds(30);
    EXPECT_NE(store.find(id), nullptr);
  }
  now += std::chrono::seconds(30);
  EXPECT_EQ(store.find(id), nullptr);
}

TEST(Sessions, CancellingAnInFlightRequestRunsItsActionOnce) {
  Session session("id", "2025-11-25");
  int runs = 0;
  session.addInFlight("1", [&runs] { ++runs; });
  EXPECT_TRUE(session.cancelInFlight("1"));
  EXPECT_FALSE(session.cancelInFlight("2"));
  session.removeInFlight("1");
  EXPECT_FALSE(session.cancelInFlight("1"));
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace capstan::mcp
