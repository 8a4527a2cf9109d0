-- wrk script: POST /api/v1/messages with varied customers and bodies.
-- The token comes from the environment (PARLEY_TOKEN).
local token = os.getenv("PARLEY_TOKEN")
local bodies = {
  "Where is my order? It was due yesterday.",
  "I was charged twice, please refund one payment!",
  "The app crashes when I open settings.",
  "Thank you, the replacement works perfectly.",
  "Где мой заказ? Обещали доставить в понедельник.",
  "С меня списали деньги дважды, верните!",
}
local counter = 0
local thread_id = 0
function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
function init(args)
  math.randomseed(tid * 7919)
end
request = function()
  counter = counter + 1
  local who = string.format("bench-%d-%d@example.com", tid, counter % 5000)
  local body = string.format('{"channel":"api","customer":{"email":"%s"},"body":"%s","thread":"t%d"}',
    who, bodies[(counter % #bodies) + 1], counter % 3)
  return wrk.format("POST", "/api/v1/messages",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
