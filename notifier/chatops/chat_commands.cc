#include "notifier/chatops/chat_commands.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace sa::notifier {

namespace v1 = summit_alerts::v1;

std::string ChatHelp() {
  return "Commands:\n"
         "  subscribe <rule>   alerts for the rule, in this chat (e.g. subscribe \"arms control\" "
         "Putin)\n"
         "  list               this chat's subscriptions\n"
         "  unsubscribe <id>   stop one\n"
         "  test <rule>        what the rule matches among the newest 20 events\n"
         "Rules: terms, \"phrases\", OR, -exclude, (groups), prefix*, title: participant: place: "
         "topic:";
}

ChatCommands::ChatCommands(SubscriptionStore& subscriptions, const QueryTester& tester)
    : subscriptions_(subscriptions), tester_(tester) {}

ChatReply ChatCommands::Handle(const ChatContext& chat, absl::string_view text) const {
  text = absl::StripAsciiWhitespace(text);
  absl::ConsumePrefix(&text, "/");
  size_t space = text.find_first_of(" \t\n");
  std::string command = absl::AsciiStrToLower(text.substr(0, space));
  if (size_t at = command.find('@'); at != std::string::npos) command.resize(at);  // "/list@my_bot"
  absl::string_view rest =
      space == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(text.substr(space + 1));
  if (command == "subscribe") return Subscribe(chat, rest);
  if (command == "list") return List(chat);
  if (command == "unsubscribe") return Unsubscribe(chat, rest);
  if (command == "test") return Test(rest);
  if (command == "help" || command == "start" || command.empty()) return {ChatHelp(), true};
  return {absl::StrCat("Unknown command '", command, "'.\n", ChatHelp()), false};
}

ChatReply ChatCommands::Subscribe(const ChatContext& chat, absl::string_view query) const {
  if (query.empty()) return {"Give a rule, e.g. subscribe \"arms control\" Putin", false};
  v1::Subscription sub;
  sub.set_owner(chat.owner);
  sub.set_query(std::string(query));
  sub.set_name("from chat");
  *sub.add_channels()->mutable_webhook() = chat.reply_channel;
  auto created = subscriptions_.Create(sub);
  if (!created.ok()) return {absl::StrCat("Not subscribed: ", created.status().message()), false};
  return {absl::StrCat("Subscribed ", created->id(), " to: ", created->query(),
                       "\nAlerts will arrive in this chat. Stop with: unsubscribe ", created->id()),
          true};
}

ChatReply ChatCommands::List(const ChatContext& chat) const {
  auto page = subscriptions_.List(chat.owner, kChatListMax, "");
  if (!page.ok()) return {absl::StrCat("Could not list: ", page.status().message()), false};
  const auto& subs = page->subscriptions;
  if (subs.empty())
    return {"No subscriptions in this chat. Try: subscribe \"arms control\" Putin", true};
  const bool more = !page->next_page_token.empty();
  std::string text =
      more ? absl::StrCat("The first ", subs.size(), " subscriptions:")
           : absl::StrCat(subs.size(), " subscription", subs.size() == 1 ? "" : "s", ":");
  for (const auto& sub : subs) absl::StrAppend(&text, "\n", sub.id(), "  ", sub.query());
  if (more) absl::StrAppend(&text, "\n…and more (alertctl subs --owner lists them all).");
  return {text, true};
}

ChatReply ChatCommands::Unsubscribe(const ChatContext& chat, absl::string_view id) const {
  if (id.empty()) return {"Give the id from 'list', e.g. unsubscribe sub_0123456789abcdef", false};
  auto sub = subscriptions_.Get(std::string(id));
  // Another chat's subscription is answered like a missing one: ids are not disclosed.
  if (!sub.ok() || sub->owner() != chat.owner) {
    return {absl::StrCat("No subscription ", id, " in this chat."), false};
  }
  // The one delete every front end uses: record, alerts and delivery state.
  if (absl::Status deleted = subscriptions_.Delete(sub->id()); !deleted.ok()) {
    return {absl::StrCat("Could not unsubscribe: ", deleted.message()), false};
  }
  return {absl::StrCat("Unsubscribed ", id, "."), true};
}

ChatReply ChatCommands::Test(absl::string_view query) const {
  if (query.empty()) return {"Give a rule, e.g. test Putin OR Lavrov", false};
  v1::TestQueryRequest request;
  request.set_query(std::string(query));
  request.set_last_events(20);
  auto response = tester_.Test(request);
  if (!response.ok()) return {absl::StrCat("Cannot test: ", response.status().message()), false};
  const int matched = response->matched_count();
  int shown = 0;
  std::string lines;
  for (const auto& result : response->results()) {
    if (!result.matched() || shown == 5) continue;
    ++shown;
    absl::StrAppend(&lines, "\n• ", result.summary().title());
  }
  return {absl::StrCat(matched, " of the newest ", response->events_evaluated(), " events match",
                       matched ? ":" : ".", lines,
                       matched > shown ? absl::StrCat("\n…and ", matched - shown, " more") : ""),
          true};
}

}  // namespace sa::notifier
