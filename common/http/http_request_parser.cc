#include "common/http/http_request_parser.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace sa::http {
namespace {

// RFC 9110 tchar: the characters of a method or header name.
bool IsTokenChar(unsigned char c) {
  if (absl::ascii_isalnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// Field values: visible ASCII, space, tab and obs-text (bytes >= 0x80); no other controls.
bool IsFieldValue(absl::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string DecodeFormComponent(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string ServerRequest::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::vector<std::pair<std::string, std::string>> ParseForm(absl::string_view form) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view part : absl::StrSplit(form, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    out.emplace_back(DecodeFormComponent(kv.first), DecodeFormComponent(kv.second));
  }
  return out;
}

std::string FormValue(absl::string_view form, absl::string_view name) {
  for (auto& [key, value] : ParseForm(form)) {
    if (key == name) return std::move(value);
  }
  return "";
}

RequestParser::RequestParser(RequestLimits limits) : limits_(limits) {}

RequestParser::State RequestParser::Fail(int status, std::string message) {
  state_ = State::kError;
  error_status_ = status;
  error_ = std::move(message);
  buffer_.clear();
  buffer_.shrink_to_fit();
  return state_;
}

RequestParser::State RequestParser::Feed(absl::string_view bytes) {
  if (state_ != State::kNeedMore) return state_;
  if (!headers_done_) {
    // Empty lines before the request line are skipped (RFC 9112 2.2); they count towards the
    // header limit so that a stream of them cannot go on for ever.
    if (buffer_.empty()) {
      size_t skip = 0;
      while (skip < bytes.size() && (bytes[skip] == '\r' || bytes[skip] == '\n')) ++skip;
      skipped_ += skip;
      bytes.remove_prefix(skip);
      if (skipped_ > limits_.max_header_bytes) {
        return Fail(431, "request header fields too large");
      }
      if (bytes.empty()) return state_;
    }
    // Copy no more than can still be part of an acceptable head (+3 to see its end).
    size_t room = limits_.max_header_bytes + 3 - std::min(limits_.max_header_bytes, skipped_);
    size_t take = std::min(bytes.size(), room > buffer_.size() ? room - buffer_.size() : 0);
    buffer_.append(bytes.data(), take);
    size_t end = std::string::npos;
    size_t i = scanned_;
    for (; i < buffer_.size(); ++i) {
      if (buffer_[i] != '\n') continue;
      if (i + 1 >= buffer_.size()) break;
      if (buffer_[i + 1] == '\n') {
        end = i + 2;
        break;
      }
      if (buffer_[i + 1] == '\r') {
        if (i + 2 >= buffer_.size()) break;
        if (buffer_[i + 2] == '\n') {
          end = i + 3;
          break;
        }
      }
    }
    scanned_ = i;
    if (end == std::string::npos) {
      if (buffer_.size() + skipped_ > limits_.max_header_bytes) {
        return Fail(431, "request header fields too large");
      }
      return state_;
    }
    if (end + skipped_ > limits_.max_header_bytes) {
      return Fail(431, "request header fields too large");
    }
    // Whatever followed the head in this call is the start of the body.
    size_t from_bytes = buffer_.size() - end;  // bytes of `bytes` copied after the head
    std::string head = buffer_.substr(0, end);
    buffer_.clear();
    buffer_.shrink_to_fit();
    if (ParseHead(head) == State::kError) return state_;
    headers_done_ = true;
    bytes.remove_prefix(take - from_bytes);
  }
  size_t need = content_length_ - request_.body.size();
  request_.body.append(bytes.data(), std::min(need, bytes.size()));
  if (request_.body.size() == content_length_) state_ = State::kComplete;
  return state_;
}

RequestParser::State RequestParser::ParseHead(absl::string_view head) {
  std::vector<absl::string_view> lines = absl::StrSplit(head, '\n');
  // The head ends with "\n\n" or "\n\r\n": the last two pieces are the blank line.
  while (!lines.empty() && (lines.back().empty() || lines.back() == "\r")) lines.pop_back();
  if (lines.empty()) return Fail(400, "empty request");
  for (absl::string_view& line : lines) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }

  std::vector<absl::string_view> parts = absl::StrSplit(lines[0], ' ');
  if (parts.size() != 3) return Fail(400, "malformed request line (want METHOD /target HTTP/1.1)");
  if (!IsToken(parts[0])) return Fail(400, "malformed method");
  absl::string_view target = parts[1];
  if (target.empty() || target[0] != '/') {
    return Fail(400, "the request target must be a path starting with '/'");
  }
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7f)
      return Fail(400, "the request target has a byte that is not allowed");
  }
  absl::string_view version = parts[2];
  if (version.size() != 8 || !absl::StartsWith(version, "HTTP/") ||
      !absl::ascii_isdigit(version[5]) || version[6] != '.' || !absl::ascii_isdigit(version[7])) {
    return Fail(400, "malformed HTTP version");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0")
    return Fail(505, "HTTP version not supported");
  request_.method = std::string(parts[0]);
  request_.target = std::string(target);
  size_t question = target.find('?');
  request_.path = std::string(target.substr(0, question));
  request_.query =
      question == absl::string_view::npos ? "" : std::string(target.substr(question + 1));
  request_.version = std::string(version);

  if (lines.size() - 1 > limits_.max_headers) return Fail(431, "too many header fields");
  bool has_length = false;
  bool has_transfer_encoding = false;
  for (size_t n = 1; n < lines.size(); ++n) {
    absl::string_view line = lines[n];
    if (line.empty()) return Fail(400, "malformed header block");
    if (line[0] == ' ' || line[0] == '\t') return Fail(400, "folded header lines are not accepted");
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) return Fail(400, "a header line has no ':'");
    absl::string_view name = line.substr(0, colon);
    if (!IsToken(name)) return Fail(400, "malformed header name");
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (!IsFieldValue(value)) return Fail(400, "a header value has a control character");
    std::string lower = absl::AsciiStrToLower(name);
    if (lower == "content-length") {
      if (value.empty() || value.size() > 18) return Fail(400, "malformed Content-Length");
      size_t length = 0;
      for (char c : value) {
        if (!absl::ascii_isdigit(c)) return Fail(400, "malformed Content-Length");
        length = length * 10 + (c - '0');
      }
      if (has_length && length != content_length_)
        return Fail(400, "conflicting Content-Length headers");
      has_length = true;
      content_length_ = length;
    } else if (lower == "transfer-encoding") {
      has_transfer_encoding = true;
    } else if (lower == "expect" && absl::EqualsIgnoreCase(value, "100-continue")) {
      expect_continue_ = true;
    }
    request_.headers.emplace_back(std::move(lower), std::string(value));
  }
  if (has_transfer_encoding) {
    if (has_length) return Fail(400, "Content-Length together with Transfer-Encoding");
    return Fail(411, "Transfer-Encoding is not accepted; send the body with a Content-Length");
  }
  if (content_length_ > limits_.max_body_bytes) {
    return Fail(413,
                "request body larger than " + std::to_string(limits_.max_body_bytes) + " bytes");
  }
  return state_;
}

}  // namespace sa::http
