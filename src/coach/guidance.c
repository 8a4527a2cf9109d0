/* guidance.c — what to do for each customer emotion, in Russian and
 * English, after seed 001 ("Использование эмоционального интеллекта для
 * разрешения конфликтов"): frustration → concrete solutions and
 * reassurance; anger → stay calm, acknowledge, apologise, seek a mutually
 * acceptable solution; anxiety → clear information, realistic
 * expectations, ongoing support; plus confusion, sadness, joy, neutral.
 * The texts live here as data so they ship inside the binary. */
#include "coach/coach.h"

#include "base/xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const char *const coach_emotions[COACH_N_EMOTIONS] = {
    "anger", "frustration", "anxiety", "sadness", "confusion", "joy", "neutral"};

#define L(...) {__VA_ARGS__}

static const struct coach_guidance table[COACH_N_EMOTIONS][2] = {
{ /* ---- anger ---- */
{"anger", "en", "Anger: stay calm, acknowledge, apologise, find a fair solution",
 L("Take a breath before you answer; keep your tone calm and respectful whatever the wording.",
   "Acknowledge the feeling and its cause in your own words, so the customer knows they were heard.",
   "Apologise sincerely for the inconvenience, without arguing about who is to blame.",
   "Propose a concrete solution and ask whether it works for them; look for one both sides accept.",
   "Say exactly what happens next and when you will follow up."),
 L("I understand why this made you angry.",
   "I'm sorry for the trouble this has caused you.",
   "Here is what I can do right now:",
   "Would this solution work for you?"),
 L("Calm down.", "That's not our fault.", "As I already said…", "You should have…",
   "There is nothing I can do."),
 L("I'm sorry — you waited for your order and it still hasn't arrived; I understand why you're angry. Let me fix this now.",
   "Thank you for telling us directly. You're right to be upset, and I want to put this right."),
 5, 4, 5, 2},
{"anger", "ru", "Гнев: сохраняйте спокойствие, признайте чувства, извинитесь, ищите взаимоприемлемое решение",
 L("Сделайте паузу и вдох перед ответом; сохраняйте спокойный и уважительный тон, как бы ни был написан упрёк.",
   "Признайте чувства клиента и их причину своими словами, чтобы он знал, что его услышали.",
   "Искренне извинитесь за неудобства, не споря о том, кто виноват.",
   "Предложите конкретное решение и спросите, подходит ли оно; ищите вариант, устраивающий обе стороны.",
   "Скажите точно, что будет дальше и когда вы вернётесь с ответом."),
 L("Я понимаю, почему это вас рассердило.",
   "Приношу извинения за доставленные неудобства.",
   "Вот что я могу сделать прямо сейчас:",
   "Вам подойдёт такое решение?"),
 L("Успокойтесь.", "Это не наша вина.", "Как я уже говорил…", "Вы сами виноваты.",
   "Ничем не могу помочь."),
 L("Приношу извинения: вы ждали заказ, а он так и не пришёл — понимаю ваше возмущение. Давайте я решу это прямо сейчас.",
   "Спасибо, что написали прямо. Вы вправе быть недовольны, и я хочу всё исправить."),
 5, 4, 5, 2},
},
{ /* ---- frustration ---- */
{"frustration", "en", "Frustration: offer concrete solutions and reassurance",
 L("Name the problem back in one sentence so the customer sees you understood it.",
   "Acknowledge the effort they have already spent (waiting, repeating themselves).",
   "Offer a concrete, active solution — what you will do, not what they must do — with a time.",
   "Reassure: say you own the issue until it is solved and will not make them repeat it.",
   "Check back that the solution worked."),
 L("I can see you've already spent a lot of time on this.",
   "I'll take care of it personally.",
   "Here is what I've done / will do, and by when:",
   "You won't need to explain this again."),
 L("Please be patient.", "Did you try restarting it?", "That's how the system works.",
   "Unfortunately, nothing can be done."),
 L("I'm sorry this has taken so long — I've looked at your order and here is what I'm doing to fix it today.",
   "Thank you for your patience so far; I've taken over your case and won't let it drop."),
 5, 4, 4, 2},
{"frustration", "ru", "Разочарование: предложите конкретные решения и заверения",
 L("Перескажите проблему одним предложением, чтобы клиент видел, что вы её поняли.",
   "Признайте усилия, которые клиент уже потратил (ожидание, повторные объяснения).",
   "Предложите конкретное активное решение — что сделаете вы, а не что должен сделать он — со сроком.",
   "Заверьте, что вы ведёте вопрос до решения и не заставите повторять всё заново.",
   "Уточните позже, помогло ли решение."),
 L("Вижу, что вы уже потратили на это много времени.",
   "Я займусь этим лично.",
   "Вот что я уже сделал(а) / сделаю и к какому сроку:",
   "Вам не придётся объяснять это ещё раз."),
 L("Наберитесь терпения.", "А вы пробовали перезагрузить?", "Так работает система.",
   "К сожалению, ничего нельзя сделать."),
 L("Извините, что это заняло столько времени — я проверил(а) ваш заказ и вот что делаю, чтобы решить вопрос сегодня.",
   "Спасибо за терпение; я взял(а) ваше обращение и доведу его до конца."),
 5, 4, 4, 2},
},
{ /* ---- anxiety ---- */
{"anxiety", "en", "Anxiety: clear information, realistic expectations, ongoing support",
 L("Start with the most important fact the customer is worried about (is the money safe, will it arrive).",
   "Give clear, specific information: what happened, what happens next, in plain words.",
   "Set realistic expectations — dates and conditions you can keep; do not over-promise.",
   "Offer ongoing support: tell them you will update them and how to reach you.",
   "Invite questions and answer each one."),
 L("Your money is safe: …", "Here is exactly what will happen next:",
   "I'll update you by … even if there is no news yet.", "If anything worries you, write to me here."),
 L("Don't worry.", "It should be fine.", "I can't say.", "Probably tomorrow, maybe."),
 L("I understand this is worrying. Your payment is safe, and here is exactly what happens next.",
   "Thank you for asking — let me explain clearly where things stand and when you'll hear from me."),
 5, 4, 4, 2},
{"anxiety", "ru", "Беспокойство: чёткая информация, реалистичные ожидания, постоянная поддержка",
 L("Начните с главного факта, который волнует клиента (деньги в сохранности, посылка придёт).",
   "Дайте чёткую конкретную информацию: что произошло и что будет дальше, простыми словами.",
   "Установите реалистичные ожидания — сроки и условия, которые вы выполните; не обещайте лишнего.",
   "Предложите постоянную поддержку: скажите, что будете сообщать новости, и как с вами связаться.",
   "Пригласите задавать вопросы и ответьте на каждый."),
 L("Ваши деньги в сохранности: …", "Вот что именно будет дальше:",
   "Я напишу вам до …, даже если новостей ещё не будет.", "Если что-то тревожит, пишите мне сюда."),
 L("Не переживайте.", "Наверное, всё будет нормально.", "Не могу сказать.",
   "Может быть, завтра."),
 L("Понимаю, что это тревожно. Ваш платёж в сохранности, и вот что именно будет дальше.",
   "Спасибо за вопрос — объясню, как обстоят дела и когда вы получите от меня новости."),
 5, 4, 4, 2},
},
{ /* ---- sadness ---- */
{"sadness", "en", "Sadness or disappointment: empathy first, then a gentle way forward",
 L("Acknowledge the disappointment with genuine empathy before any facts.",
   "Show that you take it seriously and that it matters to you too.",
   "Offer a concrete way to make it better, even a small one.",
   "Keep the tone warm and unhurried; do not push for closure."),
 L("I'm really sorry this happened.", "I can imagine how disappointing this is.",
   "Let me see what I can do to make it right."),
 L("It's not a big deal.", "These things happen.", "At least…"),
 L("I'm really sorry — this was supposed to be a special day and we let you down. Let me see how I can make it right."),
 4, 3, 3, 1},
{"sadness", "ru", "Грусть и огорчение: сначала сочувствие, затем бережный шаг вперёд",
 L("Признайте огорчение с искренним сочувствием, прежде чем переходить к фактам.",
   "Покажите, что относитесь к ситуации серьёзно и вам не всё равно.",
   "Предложите конкретный способ исправить ситуацию, пусть даже небольшой.",
   "Пишите тепло и без спешки; не торопите с закрытием обращения."),
 L("Мне очень жаль, что так вышло.", "Представляю, как это огорчает.",
   "Давайте я посмотрю, как это исправить."),
 L("Ничего страшного.", "Так бывает.", "Ну хотя бы…"),
 L("Мне очень жаль — это должен был быть особенный день, а мы вас подвели. Давайте посмотрим, как это исправить."),
 4, 3, 3, 1},
},
{ /* ---- confusion ---- */
{"confusion", "en", "Confusion: plain language, step by step",
 L("Find out exactly what is unclear; restate the question to check.",
   "Answer in plain language — no internal terms, abbreviations or system names.",
   "Give numbered steps, one action per step, in the order the customer will do them.",
   "Check understanding: ask whether it worked and offer to go through it together."),
 L("Let me explain it step by step.", "In short: …", "Did that work for you?",
   "If any step is unclear, tell me which one."),
 L("As stated in the documentation…", "It's obvious.", "Just follow the instructions.",
   "The SLA / backend / tier 2 …"),
 L("Good question — let me walk you through it step by step.",
   "Thanks for asking. In short: …, and here are the steps."),
 4, 4, 4, 2},
{"confusion", "ru", "Растерянность: простой язык, шаг за шагом",
 L("Выясните, что именно непонятно; переформулируйте вопрос для проверки.",
   "Отвечайте простым языком — без внутренних терминов, сокращений и названий систем.",
   "Дайте пронумерованные шаги: одно действие на шаг, в том порядке, в котором клиент будет их выполнять.",
   "Проверьте понимание: спросите, получилось ли, и предложите пройти шаги вместе."),
 L("Давайте разберём по шагам.", "Коротко: …", "Получилось?",
   "Если какой-то шаг непонятен, напишите, какой именно."),
 L("Как указано в документации…", "Это же очевидно.", "Просто следуйте инструкции.",
   "Тикет / бэкенд / регламент …"),
 L("Хороший вопрос — давайте разберём по шагам.",
   "Спасибо за вопрос. Коротко: …, а вот шаги."),
 4, 4, 4, 2},
},
{ /* ---- joy ---- */
{"joy", "en", "Satisfaction: share the joy, thank them, keep the relationship",
 L("Thank the customer warmly and personally.",
   "Mirror their positive tone without overdoing it.",
   "Make sure nothing is left open; mention anything useful for next time.",
   "Invite feedback or a review if it fits."),
 L("Thank you so much for letting us know!", "I'm glad it worked out.",
   "If you ever need anything, we're here."),
 L("Ticket closed.", "OK.", "Anything else? (as the whole reply)"),
 L("Thank you — that made our day! I'm glad everything worked out."),
 4, 3, 3, 1},
{"joy", "ru", "Удовлетворённость: разделите радость, поблагодарите, сохраните отношения",
 L("Тепло и лично поблагодарите клиента.",
   "Поддержите его позитивный тон, не переигрывая.",
   "Убедитесь, что ничего не осталось нерешённым; подскажите полезное на будущее.",
   "Если уместно, пригласите оставить отзыв."),
 L("Большое спасибо, что написали!", "Рад(а), что всё получилось.",
   "Если что-то понадобится, мы на связи."),
 L("Тикет закрыт.", "Ок.", "Что-то ещё? (как весь ответ)"),
 L("Спасибо — вы нас очень порадовали! Рад(а), что всё получилось."),
 4, 3, 3, 1},
},
{ /* ---- neutral ---- */
{"neutral", "en", "Neutral: be clear, friendly and complete",
 L("Answer the question directly in the first sentence.",
   "Add the details the customer will need next, and nothing they won't.",
   "Keep a friendly, human tone; use their name.",
   "Close with a clear next step or an offer of further help."),
 L("Thanks for reaching out.", "Here's the answer: …", "Let me know if I can help with anything else."),
 L("Per our policy…", "Please refer to the FAQ.", "Noted."),
 L("Thanks for reaching out — here's the answer to your question."),
 4, 3, 3, 1},
{"neutral", "ru", "Нейтрально: ясно, дружелюбно и полно",
 L("Ответьте на вопрос прямо в первом предложении.",
   "Добавьте детали, которые понадобятся клиенту дальше, и ничего лишнего.",
   "Держите дружелюбный, человеческий тон; обращайтесь по имени.",
   "Завершите понятным следующим шагом или предложением помощи."),
 L("Спасибо за обращение.", "Отвечаю: …", "Если понадобится что-то ещё, пишите."),
 L("Согласно регламенту…", "Смотрите FAQ.", "Принято."),
 L("Спасибо за обращение — вот ответ на ваш вопрос."),
 4, 3, 3, 1},
},
};

const struct coach_guidance *coach_guidance(const char *emotion, const char *language)
{
    const int lang = language && strcmp(language, "ru") == 0 ? 1 : 0;
    int e = COACH_N_EMOTIONS - 1;   /* neutral */
    if (emotion) {
        if (strcmp(emotion, "satisfaction") == 0)
            emotion = "joy";
        for (int i = 0; i < COACH_N_EMOTIONS; i++)
            if (strcmp(emotion, coach_emotions[i]) == 0)
                e = i;
    }
    return &table[e][lang];
}

static json_t *list(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

char *coach_guidance_json(const struct coach_guidance *g)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "emotion", g->emotion,
                          "language", g->language, "title", g->title,
                          "steps", list(g->steps, g->n_steps), "use", list(g->use, g->n_use),
                          "avoid", list(g->avoid, g->n_avoid),
                          "openers", list(g->openers, g->n_openers));
    char *s = json_dumps(o, JSON_PRESERVE_ORDER);
    json_decref(o);
    char *out = s ? xstrdup(s) : NULL;
    free(s);
    return out;
}
