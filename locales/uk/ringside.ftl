# Слова Ringside українською. Ті самі id і ті самі плейсхолдери, що в en/ringside.ftl.
# Множина: CLDR для uk — one (1, 21…), few (2–4, 22–24…), many (0, 5–20, 25…), other (дроби).
# Звертання на «ви» (без роду); минулий час до агента не вживається.

## The app and the agent's state

app-name = Ringside
app-starting = запуск…
app-not-running = не працює
agent-logged-out = поза системою
agent-available = приймання дзвінків
agent-paused = пауза
agent-ringing = вхідний виклик
agent-on-call = розмова
agent-wrap-up = постобробка
agent-since = з { $time }
agent-reason-since = { $reason }, з { $time }
agent-accepting = Приймаю дзвінки
agent-log-in = Увійти
agent-log-out = Вийти
agent-no-reason = Без причини

## Supervisor: the team on the desk, switching another agent, the audit of switches, the tray's
## pause reasons, and their errors

team-title = Команда
team-queue = Черга
team-all-queues = Усі черги
team-member = Оператор
team-state = Стан
team-reason = Причина паузи
team-since = Тривалість
team-calls-taken = Прийнято дзвінків
team-on-call = Розмова
team-on-call-yes = так
team-state-available = приймання дзвінків
team-state-ringing = вхідний виклик
team-state-in-call = розмова
team-state-paused = пауза
team-state-unavailable = недоступний
team-switch = Перемкнути
team-pause = Пауза
team-unpause = Приймати дзвінки
team-none = У чергах під наглядом немає операторів
team-audit-title = Перемикання
team-audit-none = Перемикань поки немає
team-audit-accepting = приймання дзвінків
team-audit-paused = пауза
team-audit-paused-reason = пауза ({ $reason })
team-audit-unknown = невідомо
team-audit-switch = { $by } → { $member }: { $before } → { $after }
tray-pause-with = Пауза з причиною
cli-audit-none = Перемикань не записано
error-supervisor-not-enabled = Це робоче місце не керує іншими операторами: вкажіть [supervisor] enabled = true у файлі налаштувань
error-supervisor-not-permitted = Вашому обліковому запису АТС не можна ставити інших операторів на паузу: попросіть адміністратора АТС про право запису «{ $permission }» (write = { $permission } у manager.conf)
error-supervisor-unknown-reason = «{ $reason }» — не одна з причин паузи; виберіть одну з: { $known }
error-pbx-permission-denied = Обліковому запису АТС не можна надсилати { $action }: попросіть адміністратора АТС про право запису «{ $permission }» (write = { $permission } у manager.conf)

## Ringside's own pause reasons, by code (`[agent] pause_reasons`; the PBX gets the code)

pause-reason-break = Перерва
pause-reason-lunch = Обід
pause-reason-training = Навчання
pause-reason-meeting = Нарада
pause-reason-back-office = Бек-офіс

source-connected = АТС: { $source }
source-disconnected = Немає зв’язку з АТС: { $reason }
source-connecting = Підключення до АТС…

## A call

direction-incoming = Вхідний
direction-outgoing = Вихідний
status-ringing = Дзвонить
status-dialing = Набір
status-on-call = Розмова
status-ended = Завершено
end-completed = Завершено
end-no-answer = Пропущено
end-answered-elsewhere = Прийнято деінде
end-answered-by = Прийнято: { $who }
end-abandoned = Скинуто абонентом
end-busy = Зайнято
end-transferred = Переведено
end-failed = Помилка: { $why }
end-interrupted = Перервано
outcome-answered = Прийнято
outcome-missed = Пропущено
outcome-answered-elsewhere = Прийнято деінде
outcome-abandoned = Скинуто абонентом
outcome-failed = Помилка
outcome-busy = Зайнято
outcome-transferred = Переведено
outcome-interrupted = Перервано
outcome-in-progress = Триває

## The call card

card-unknown-caller = Невідомий абонент
card-withheld = Номер приховано
card-colleague = Колега
card-looking-up = Пошук…
card-lookup-failed = Пошук не вдався: { $why }
card-pick =
    { $n ->
        [one] Цей номер є в { $n } клієнта: виберіть, хто дзвонить
        [few] Цей номер є в { $n } клієнтів: виберіть, хто дзвонить
        [many] Цей номер є в { $n } клієнтів: виберіть, хто дзвонить
       *[other] Цей номер є в { $n } клієнта: виберіть, хто дзвонить
    }
card-queue = Черга { $queue }
card-details = Докладніше
card-e164 = E.164
card-raw-number = Як передала АТС
card-call-id = Id дзвінка
card-caller-id-name = Ім’я в Caller ID
card-retry = Повторити
card-create = Створити клієнта…
card-create-name = Ім’я
card-create-company = Компанія (необов’язково)
card-create-add = Додати
card-create-in = Створити в
card-create-kind-customer = клієнт
card-create-kind-contact = контакт
card-create-kind-lead = лід
card-cancel = Скасувати
card-note-placeholder = Нотатки (зберігаються під час введення)
card-note-saved = збережено
card-recording = Запис
card-call-back = Передзвонити
card-hang-up = Завершити дзвінок
card-close = Закрити
card-minimize = Згорнути
card-expand = Розгорнути
card-more =
    { $n ->
        [one] Ще { $n } дзвінок
        [few] Ще { $n } дзвінки
        [many] Ще { $n } дзвінків
       *[other] Ще { $n } дзвінка
    }
card-window-title = Ringside: дзвінок
customer-new-order = Додати угоду/замовлення
customer-directory = довідник клієнтів
customer-caller = дзвонить
customer-pick = Дзвонить цей клієнт
customer-lead = Лід
customer-owner = Відповідальний: { $name }
deal-bound = дзвінок сюди
deal-bind = Прив’язати дзвінок сюди
deal-unbind = Прив’язати дзвінок до клієнта, а не до угоди
customer-open = Відкрити в CRM
customer-match-same-e164 = той самий E.164
customer-match-last-digits =
    { $n ->
        [one] остання { $n } цифра
        [few] останні { $n } цифри
        [many] останні { $n } цифр
       *[other] останні { $n } цифри
    }
customer-match-same-number-in = той самий номер у { $crm }
customer-match-created = створено під час цього дзвінка
customer-match-chosen-before = { $why }, вибрано раніше

## Wrap-up

wrap-up-title = Постобробка
wrap-up-left = залишилося { $time }
wrap-up-untimed = доки ви її не завершите
wrap-up-save = Зберегти
wrap-up-save-and-create = Зберегти й створити клієнта
wrap-up-cancel = Скасувати
wrap-up-end-early = Завершити раніше

## The desk

cards-none = Дзвінків поки немає. Картки з’являться тут, коли зателефонують.
dial-placeholder = Номер для дзвінка
dial-via = Дзвонити через
dial-call = Подзвонити
link-question = Подзвонити на { $number }?
link-not-a-customer = Немає серед ваших клієнтів
link-lookup-failed = { $who } (пошук не вдався: { $why })
link-service-code = У номері є * або #: АТС може сприйняти це як сервісний код (переадресація, голосова пошта). Дзвоніть, лише якщо так і задумано.
link-through = Через
link-always = Дзвонити за посиланнями без запитань
link-cancel = Скасувати
link-call = Подзвонити
callbacks-tab = Передзвонити
callbacks-none = Ніхто не чекає на зворотний дзвінок.
callbacks-waiting =
    { $n ->
        [one] { $n } абонент чекає на зворотний дзвінок
        [few] { $n } абоненти чекають на зворотний дзвінок
        [many] { $n } абонентів чекають на зворотний дзвінок
       *[other] { $n } абонента чекають на зворотний дзвінок
    }
callbacks-missed =
    { $n ->
        [one] { $n } пропущений дзвінок
        [few] { $n } пропущені дзвінки
        [many] { $n } пропущених дзвінків
       *[other] { $n } пропущеного дзвінка
    }
callbacks-last = останній { $when }
callbacks-queue = черга { $queue }
callbacks-call = Подзвонити
callbacks-done = Готово
callbacks-done-title = На цей номер більше не треба передзвонювати
history-tab = Історія
history-search = Пошук за номером, ім’ям або нотаткою
history-search-title = Шукає під час введення; слова з однієї-двох літер — після Enter
history-missed-only = Лише пропущені
history-both-directions = Усі напрямки
history-any-outcome = Будь-який результат
history-any-time = За весь час
history-today = Сьогодні
history-last-7 = Останні 7 днів
history-last-30 = Останні 30 днів
history-none = Дзвінків поки немає.
history-agent = Агент (номер або ім’я)
history-connection = Підключення
history-call-id = Id дзвінка
history-no-match = Відповідних дзвінків немає.
history-more =
    { $n ->
        [one] Показано останній { $n } дзвінок: давніші знайде пошук.
        [few] Показано останні { $n } дзвінки: давніші знайде пошук.
        [many] Показано останні { $n } дзвінків: давніші знайде пошук.
       *[other] Показано останні { $n } дзвінка: давніші знайде пошук.
    }
history-talked = розмова { $time }
history-queue = черга { $queue }
history-deal = угода: { $deal }
history-via = через { $connection }
history-unsaved = Ще не записано на диск: Ringside пробує знову
history-crm = CRM: { $states }
history-crm-sent = { $target }: надіслано
history-crm-failed = { $target }: помилка ({ $why })
history-crm-pending = { $target }: у черзі
settings-tab = Налаштування дзвінків
settings-default = (типово)
settings-installed = Встановлено: { $list }
settings-microsip-at = MicroSIP: { $path }
settings-zoiper-at = Zoiper: { $path }
settings-none-installed = MicroSIP і Zoiper не знайдено.
settings-links-open-in = Посилання { $scheme } відкриває: { $app }
settings-no-app = жодна програма
settings-ask-links = Питати, перш ніж дзвонити за посиланням з іншої програми
settings-become-handler = Відкривати посилання tel:, callto: і sip: у Ringside
settings-language = Мова
about-version = Ringside { $version }
about-demo = демо-АТС на { $addr }
about-config = налаштування: { $path }
close = Закрити
dismiss = Приховати

## Languages: each named in its own language, the same in every file; "auto" follows the
## operating system.

language-auto = Автоматично (як у системі)
language-en = English
language-ru = Русский
language-uk = Українська
language-pl = Polski

## Notices: in the desk and as desktop notifications (src-tauri/words.rs)

notice-show = Показати
notice-auto-paused-summary = Ringside поставив вас на паузу
notice-auto-paused-body =
    { $n ->
        [one] { $n } дзвінок із черги залишився без відповіді, тож ви на паузі в усіх чергах (причина: «{ $reason }»). Увімкніть «Приймаю дзвінки», коли повернетеся на місце.
        [few] { $n } дзвінки з черги поспіль залишилися без відповіді, тож ви на паузі в усіх чергах (причина: «{ $reason }»). Увімкніть «Приймаю дзвінки», коли повернетеся на місце.
        [many] { $n } дзвінків із черги поспіль залишилися без відповіді, тож ви на паузі в усіх чергах (причина: «{ $reason }»). Увімкніть «Приймаю дзвінки», коли повернетеся на місце.
       *[other] { $n } дзвінка з черги поспіль залишилися без відповіді, тож ви на паузі в усіх чергах (причина: «{ $reason }»). Увімкніть «Приймаю дзвінки», коли повернетеся на місце.
    }
notice-missed-call-summary = Пропущений дзвінок: { $who }
notice-withheld = прихований номер
notice-missed-call-body =
    { $n ->
        [1] Абонент у списку для зворотного дзвінка.
        [one] У списку для зворотного дзвінка { $n } абонент.
        [few] У списку для зворотного дзвінка { $n } абоненти.
        [many] У списку для зворотного дзвінка { $n } абонентів.
       *[other] У списку для зворотного дзвінка { $n } абонента.
    }
notice-incoming-call-summary = Вхідний дзвінок: { $who }
notice-wrap-up-resumed-summary = Постобробка триває
notice-wrap-up-resumed-body = Ringside перезапустився під час постобробки. Вона завершиться сама через { $secs } с; завершити раніше можна у вікні Ringside.
notice-wrap-up-pause-cleared-summary = Приймання дзвінків знову ввімкнено
notice-wrap-up-pause-cleared-body = Ваші черги залишалися на паузі після завершеної постобробки (Ringside було закрито або він втрачав зв’язок з АТС), тож Ringside знову ввімкнув приймання дзвінків.

## The tray icon's menu and tooltip

tray-tooltip = Ringside: { $state }
tray-state-reason = { $state } ({ $reason })
tray-pbx-disconnected = Немає зв’язку з АТС
tray-missed =
    { $n ->
        [0] Пропущених дзвінків немає
        [one] Передзвонити { $n } абонентові
        [few] Передзвонити { $n } абонентам
        [many] Передзвонити { $n } абонентам
       *[other] Передзвонити { $n } абонента
    }
tray-show-card = Показати картку дзвінка
tray-show-window = Показати вікно
tray-quit = Вийти з Ringside

## Errors, by their code: `error-` and the code with every "." and "_" as "-"

error-app-starting = Ringside ще запускається; спробуйте за хвилину
error-app-not-running = Ringside не працює: { $reason }
error-app-stopping = Ringside завершує роботу
error-app-no-browser = Не вдалося відкрити браузер: { $reason }
error-app-window-gone = Вікно Ringside закрито
error-agent-not-now =
    { $state ->
        [logged_out] Спершу увійдіть у систему
        [ringing] Не зараз: триває вхідний виклик
        [on_call] Не зараз: триває розмова
        [wrap_up] Не зараз: триває постобробка
       *[other] Зараз це неможливо
    }
error-agent-other-call = Це не поточний дзвінок
error-agent-busy = Триває розмова; спершу завершіть її
error-number-empty = Немає номера для дзвінка
error-number-forbidden-character = { $character } ({ $code_point }) не може бути в номері телефону: набрати можна лише цифри, + на початку, * і #
error-number-too-long = Номер задовгий для телефонного (цифр не більше { $max })
error-pbx-no-secret = Немає пароля AMI для користувача { $username }: збережіть його командою «ringside-cli secret set» або задайте { $env }
error-pbx-unreachable = Не вдається зв’язатися з АТС за адресою { $addr }
error-pbx-no-answer = АТС за адресою { $addr } не відповідає
error-pbx-not-ami = { $addr } — це не Asterisk Manager Interface
error-pbx-login-refused = АТС відхилила вхід до AMI для користувача { $username }: неправильне ім’я або пароль
error-pbx-refused = АТС відхилила { $action }: { $reason }
error-pbx-call-not-placed = Дзвінок не відбувся: { $reason }
error-pbx-action-timeout = АТС не відповіла на { $action } за { $secs } с
error-pbx-stopped-answering = АТС перестала відповідати
error-pbx-connection-lost = Зв’язок з АТС втрачено
error-pbx-bad-frame = АТС надіслала дані, які Ringside не може прочитати
error-pbx-bad-action = Ringside не зміг надіслати це на АТС
error-pbx-not-connected = Немає зв’язку з АТС; спробуйте, коли його буде відновлено
error-pbx-logged-out = Вихід з АТС виконано
error-keychain-unavailable = Сховище паролів системи недоступне
error-demo-not-started = Не вдалося запустити демо-АТС
error-call-none = Немає дзвінка, який можна завершити
error-card-gone = Картку цього дзвінка вже закрито
error-card-no-such-deal = Ця угода в клієнта вже не відкрита; знайдіть абонента ще раз
error-customer-pick-not-remembered = Клієнта вибрано для цього дзвінка, але Ringside не зміг запам’ятати вибір для наступних
error-customer-no-name = Вкажіть ім’я клієнта
error-customer-not-saved = Не вдалося зберегти клієнта
error-customer-no-page = У { $name } немає сторінки в CRM
error-customer-no-such-target = У { $target } не можна створювати клієнтів; можна в: { $known }
error-customer-create-in-progress = Клієнта вже створюють у { $target }; зачекайте
error-customer-no-order-page = У { $source } немає сторінки для нового замовлення: { $reason }
error-crm-create-failed = Не вдалося створити клієнта в { $crm }: { $reason }
error-directory-unavailable = Довідник клієнтів недоступний
error-directory-failed-earlier = У довіднику клієнтів раніше сталася помилка; перезапустіть Ringside
error-directory-failed = Помилка довідника клієнтів
error-dial-provider-refused = Оператор телефонії не здійснив дзвінок
error-dial-no-connection = Підключення { $name } немає; є: { $known }
error-dial-service-code = У номері { $number } є * або #: АТС може сприйняти це як сервісний код (переадресація, голосова пошта); підтвердьте дзвінок
error-dial-not-on-this-computer = Це підключення не дзвонить із цього комп’ютера
error-dial-softphone-not-installed = { $app } не встановлено в { $path } (налаштування { $setting })
error-dial-softphone-not-found = { $app } не знайдено на цьому комп’ютері (налаштування { $setting })
error-dial-not-started = Не вдалося запустити { $program }: { $reason }
error-dial-misconfigured = Підключення { $connection } налаштовано неправильно: { $reason }
error-dial-link-handler = Не вдалося запустити обробник посилань системи
error-link-not-dialable = За цим посиланням не можна подзвонити: { $reason }
error-link-loop = Ringside передав номер обробнику посилань tel:, а це сам Ringside; дзвінок не здійснено
error-links-macos-at-install = У macOS Ringside відкриває посилання tel: після встановлення з образу диска; виберіть його програмою для дзвінків у налаштуваннях FaceTime
error-links-not-registered = Ringside не зміг стати обробником посилань { $scheme }: { $reason }
error-recording-none = АТС не повідомила про запис цього дзвінка
error-history-no-folder = Немає домашньої теки для історії дзвінків
error-history-stopped = Історія дзвінків зупинилася; перезапустіть Ringside
error-history-missing-folder = Ringside не може відкрити історію дзвінків: теки { $path } немає
error-history-read-only = Ringside не може записати історію дзвінків ({ $path }): вона лише для читання
error-history-cannot-open = Ringside не може відкрити історію дзвінків ({ $path })
error-history-not-a-history = { $path } — база даних, але не історія дзвінків Ringside
error-history-damaged = Історію дзвінків Ringside { $path } пошкоджено; перемістіть її (Ringside почне нову) або відновіть із резервної копії
error-history-too-new = Історію дзвінків { $path } записав новіший Ringside (формат { $found }; ця версія читає до { $supported }); оновіть Ringside
error-history-busy = Історія дзвінків { $path } зайнята іншою програмою; спробуйте ще раз
error-history-not-saved-kept = Ringside не може записати історію дзвінків ({ $path }): { $problem }. Зміну збережено в пам’яті й буде записано пізніше.
error-history-not-saved = Ringside не може записати історію дзвінків ({ $path }): { $problem }
error-history-no-such-call = В історії немає дзвінка { $call }
error-history-call-not-ended = Дзвінок { $call } ще не завершено
error-history-no-such-item = В історії немає такого запису для CRM
error-history-invalid = Історія дзвінків відхилила цей запит
error-history-export-failed = Ringside не зміг завершити експорт; файл експорту неповний
error-history-database = Не вдалося прочитати або записати історію дзвінків

## ringside-cli's words for people (its JSON is not translated)

cli-failed = ringside-cli: { $message }
cli-lookup-internal = { $number } — внутрішній номер (колега), пошук не виконується
cli-lookup-found =
    { $n ->
        [0] { $key }: невідомий абонент
        [one] { $key }: { $n } клієнт
        [few] { $key }: { $n } клієнти (виберіть одного)
        [many] { $key }: { $n } клієнтів (виберіть одного)
       *[other] { $key }: { $n } клієнта (виберіть одного)
    }
cli-lookup-failed = пошук не вдався: { $why }
cli-customers-created = створено клієнта { $name } у { $source } ({ $id })
cli-customers-no-id = у відповіді немає id
cli-customers-id = id { $id }
cli-customers-added = додано клієнта { $name } (id { $id })
cli-customers-exported = Клієнтів записано до { $file }: { $n }
cli-customers-target = { $name }{ $label }: створює { $kind }
cli-customers-say-where = вкажіть, де створити: --in TARGET
cli-history-none = дзвінків поки немає
cli-history-no-match = відповідних дзвінків немає
cli-history-note = нотатка: { $note }
cli-history-recording = запис: { $url }
cli-history-exported = Дзвінків записано до { $file }: { $n }
cli-demo-ringing = дзвонимо на { $to } з { $from }
cli-pbx-calling = дзвонимо на { $number }
cli-pbx-handed-over = номер { $number } передано
cli-pbx-ringing-you = Дзвонить { $device }; дайте відповідь, щоб подзвонити на { $number }…
cli-pbx-not-confirmed = { $interface }: АТС прийняла запит, але не підтвердила його за 3 с
cli-pbx-left-queues = { $interface } більше не в черзі, що відстежується
cli-customers-seeded = створено { $file }, демо-клієнтів: { $n }
cli-lookup-sources =
    { $n ->
        [one] { $number }: { $n } клієнт із { $sources } за { $ms } мс
        [few] { $number }: { $n } клієнти з { $sources } за { $ms } мс
        [many] { $number }: { $n } клієнтів із { $sources } за { $ms } мс
       *[other] { $number }: { $n } клієнта з { $sources } за { $ms } мс
    }
cli-lookup-chosen-before = (вибрано раніше)
cli-import-report = { $file }: додано { $added }, оновлено { $updated }, без змін { $unchanged }, пропущено { $skipped }
cli-import-more = … і ще { $n }
cli-demo-listening = демо-АТС слухає { $addr } (AMI; будь-який користувач, пароль «{ $secret }»); агенти 100 і 101, черга 600. Ctrl-C зупиняє її.
cli-history-by = агент { $agent }
cli-history-crm-failed =
    { $n ->
        [one] { $target }: помилка ({ $n } спроба): { $why }
        [few] { $target }: помилка ({ $n } спроби): { $why }
        [many] { $target }: помилка ({ $n } спроб): { $why }
       *[other] { $target }: помилка ({ $n } спроби): { $why }
    }
cli-pbx-in-queue = у черзі { $queue }
cli-pbx-in-all-queues = в усіх чергах
cli-member-available = приймає дзвінки
cli-member-ringing = виклик
cli-member-in-call = розмова
cli-member-unavailable = не в мережі
cli-member-paused = пауза
cli-secret-stored = { $label }: збережено в сховищі паролів системи
cli-secret-removed = { $label }: видалено зі сховища паролів системи

## The settings window
prefs-title = Налаштування Ringside
tray-settings = Налаштування…
desk-open-settings = Налаштування
prefs-section-pbx = Телефонна система
prefs-section-calls = Дзвінки й картка
prefs-section-crm = CRM
prefs-section-dial = Набір номера
prefs-section-general = Загальні
prefs-source-kind = Звідки дзвінки
prefs-demo-explained = Вбудована демо-АТС: спробуйте Ringside без телефонної системи. Виберіть «ami», щоб під’єднатися до вашого Asterisk.
prefs-ami-host = Адреса АТС
prefs-ami-port = Порт AMI
prefs-ami-username = Користувач AMI
prefs-ami-originate-context = Контекст вихідних дзвінків
prefs-ami-connect-timeout = Час на з’єднання, секунд
prefs-ami-ping-interval = Перевіряти з’єднання кожні, секунд
prefs-agent = Ви на АТС
prefs-agent-extension = Внутрішній номер
prefs-agent-name = Ваше ім’я
prefs-agent-interfaces = Інтерфейси в чергах (по одному в рядку)
prefs-wrap-up = Обробка після кожного прийнятого дзвінка
prefs-wrap-up-secs = Обробка завершується сама через, секунд (0: ніколи)
prefs-auto-pause = Припинити приймати дзвінки після стількох пропущених дзвінків черги (0: вимкнено)
prefs-internal-max-len = Такі короткі номери — внутрішні номери колег
prefs-card-opens-on = Картка відкривається
prefs-card-corner = Кут картки
prefs-card-stack-limit = Карток одночасно
prefs-card-autoclose = Закривати картку дзвінка, не прийнятого тут, через, секунд
prefs-internal-delay = Чекати перед карткою колеги, мілісекунд
prefs-notify-incoming = Сповіщати про вхідний дзвінок
prefs-language = Мова
prefs-start-at-login = Запускати Ringside під час входу в систему
prefs-region = Регіон для номерів без коду країни
prefs-supervisor = Супервізор: показувати команду
prefs-supervisor-queues = Черги під наглядом (по одній у рядку; порожньо: всі)
prefs-confirm-links = Питати перед дзвінком за посиланням з іншої програми
prefs-crm-url = Адреса пошуку
prefs-crm-auth-header = Заголовок із ключем
prefs-crm-auth-prefix = Перед ключем
prefs-crm-card-url = Сторінка клієнта
prefs-crm-log-url = Куди записувати завершені дзвінки
prefs-crm-create-url = Де створювати нових клієнтів
prefs-crm-create-as = «Створити клієнта» створює
prefs-crm-auto-create = Створювати невідомого абонента, якому я відповів
prefs-dial-format = Формат номера
prefs-dial-prefix = Префікс
prefs-dial-path = Шлях до програми
prefs-dial-scheme = Тип посилання
prefs-dial-program = Програма
prefs-dial-args = Аргументи (по одному в рядку)
prefs-dial-key = Ключ API (публічна частина)
prefs-dial-extension = Лінія, що дзвонить першою
prefs-dial-project = Проєкт
prefs-secret = Секрет
prefs-secret-type = Введіть, щоб зберегти у сховищі ключів
prefs-secret-replace = Введіть новий, щоб замінити
prefs-secret-stored = Зберігається у системному сховищі ключів.
prefs-secret-remove = Видалити
prefs-secret-missing = Ще не збережено.
prefs-secret-no-keychain = На цьому комп’ютері немає сховища ключів: задайте змінну середовища { $env }.
prefs-secret-from-env = Береться зі змінної середовища { $env }.
prefs-test = Перевірити з’єднання
prefs-test-number = Номер для перевірки
prefs-step-demo = Демо-АТС
prefs-step-tcp = Мережа
prefs-step-banner = Asterisk відповідає
prefs-step-secret = Секрет
prefs-step-login = Вхід
prefs-step-permissions = Дозволи
prefs-step-events = Події
prefs-step-agent-device = Ваш пристрій
prefs-step-key = Ключ
prefs-step-lookup = Пошук
prefs-step-plan = Що зробить дзвінок
prefs-remove = Видалити
prefs-profile-name = назва
prefs-add-crm = Додати CRM
prefs-add-dial = Додати з’єднання
prefs-locked = Задано вашим ІТ-відділом
prefs-system-file = Частина налаштувань береться з { $file } і заблокована.
prefs-user-file = Збережено в { $file }
prefs-support = Підтримка
prefs-support-hint = Для звернення до підтримки: версія, ваша система, ці налаштування без паролів і ключів, перевірка з'єднання та останні рядки журналу Ringside.
prefs-copy-diagnostics = Скопіювати діагностику
prefs-updates = Оновлення
prefs-updates-check = Перевіряти оновлення під час запуску і щодня
prefs-updates-url = Адреса оновлень (порожньо: адреса Ringside)
prefs-check-updates = Перевірити оновлення зараз
update-checking = Шукаємо оновлення…
update-up-to-date = Ringside { $version } — остання версія.
update-ready = Ringside { $version } готовий до встановлення.
update-install = Встановити й перезапустити
update-later = Пізніше
prefs-diagnostics-copied = { $lines ->
    [one] Скопійовано { $lines } рядок. Вставте його у звернення.
    [few] Скопійовано { $lines } рядки. Вставте їх у звернення.
    [many] Скопійовано { $lines } рядків. Вставте їх у звернення.
   *[other] Скопійовано { $lines } рядка. Вставте їх у звернення.
}
prefs-save = Зберегти
prefs-saved = Збережено. Ringside уже використовує нові налаштування.
welcome-title = Вітаємо в Ringside
welcome-text = Ringside показує, хто телефонує, і стежить, чи ви приймаєте дзвінки. Звідки братимуться дзвінки?
welcome-demo = Спробувати з демо-АТС
welcome-connect = Під’єднатися до моєї АТС
error-settings-locked = { $key } задає ваш ІТ-відділ, тут це не змінити
error-settings-bad-change = Цю зміну не можна зберегти: { $reason }
error-settings-invalid = Налаштування не збережено: { $reason }
error-diagnostics-clipboard = Не вдалося скопіювати діагностику до буфера обміну: { $reason }
error-update-no-key = У цій збірці Ringside немає ключа оновлень: оновлення надходять із пакетами вашого ІТ-відділу.
error-update-no-url = Адресу оновлень не задано: вкажіть її в налаштуваннях або отримуйте оновлення з пакетами вашого ІТ-відділу.
error-update-bad-signature = Знайдено оновлення, але його підпис не збігається з ключем оновлень Ringside. Його відхилено й не встановлено.
error-update-insecure = Адреса оновлень має починатися з https://
error-update-no-package = В оновленні немає пакета для цієї системи.
error-update-unreachable = Сервер оновлень недоступний: { $reason }
error-update-failed = Не вдалося перевірити оновлення: { $reason }
error-update-on-call = Ringside оновиться після дзвінка: спершу завершіть його та обробку.
error-update-none = Немає оновлення, готового до встановлення.
error-settings-write-failed = Не вдалося записати файл налаштувань, нічого не змінено: { $reason }
error-settings-no-folder = Немає домашньої теки для файлу налаштувань
error-settings-no-such-secret = У цих налаштуваннях немає секрету { $which }
error-settings-empty-secret = Спершу введіть секрет
error-settings-secret-refused = Ключ не збережено: { $reason }
error-keychain-not-stored = На цьому комп’ютері немає сховища ключів: задайте змінну середовища { $env }
error-config-invalid = Файл налаштувань не можна використати: { $reason }
error-pbx-reconnecting = Під’єднання з новими налаштуваннями
prefs-opt-source-demo = Вбудована демо-АТС
prefs-opt-source-ami = Asterisk (AMI)
prefs-opt-opens-ringing = Коли дзвонить
prefs-opt-opens-answer = Коли я відповідаю
prefs-opt-opens-never = Лише на мій запит
prefs-opt-corner-auto = Найближчий до трею
prefs-opt-corner-top-right = Праворуч угорі
prefs-opt-corner-bottom-right = Праворуч унизу
prefs-opt-corner-top-left = Ліворуч угорі
prefs-opt-corner-bottom-left = Ліворуч унизу
prefs-opt-notify-when-card-hidden = Коли картки не видно
prefs-opt-notify-always = Завжди
prefs-opt-notify-never = Ніколи
prefs-opt-format-e164 = Міжнародний із + (+380441234567)
prefs-opt-format-national = Національний (0441234567)
prefs-opt-format-international = Міжнародний без + (380441234567)
prefs-opt-format-as-typed = Як введено
prefs-opt-create-contact = Контакт
prefs-opt-create-lead = Лід
prefs-opt-create-off = Вимкнено
prefs-locked-badge = заблоковано
prefs-pause-reasons = Причини паузи (по одній у рядку: код: назва)
prefs-lookup-timeout = Обмеження часу пошуку, мілісекунд
prefs-lookup-order = Де шукати абонентів, за порядком (по одному в рядку)
prefs-dial-default = З’єднання за замовчуванням
prefs-dial-default-first = Перше
prefs-crm-log-update-url = Куди надсилати зміни записаного дзвінка
prefs-crm-new-order-url = Сторінка нового замовлення
prefs-opt-create-customer = Клієнт
prefs-crm-plain-http = Дозволити звичайний http:// до іншого комп’ютера
prefs-crm-field-list = Відповідь: список клієнтів (JSON pointer)
prefs-crm-field-id = Ідентифікатор клієнта
prefs-crm-field-name = Ім’я клієнта
prefs-crm-field-company = Компанія
prefs-crm-field-url = Сторінка клієнта
prefs-crm-field-orders = Відкриті замовлення
prefs-crm-field-phone = Куди записати номер нового клієнта
prefs-directory-path = Файл довідника клієнтів (порожньо: типовий)
prefs-history-path = Файл історії дзвінків (порожньо: типовий)
prefs-opt-source-nats = Ретранслятор Ringside (NATS)
prefs-nats-servers = Сервери ретранслятора (по одному в рядку: nats://… або tls://…)
prefs-nats-tenant = Контакт-центр (тенант)
prefs-nats-user = Користувач ретранслятора
prefs-step-connect = Сервери ретранслятора
prefs-step-relay = Ретранслятор відповідає
error-relay-unavailable = Ретранслятор недоступний: { $reason }
error-relay-refused = Ретранслятор відмовив: { $reason }
error-relay-no-secret = Немає пароля ретранслятора для користувача { $user }: введіть його в налаштуваннях або задайте { $env }
error-relay-unreachable = Сервери ретранслятора недоступні: { $reason }
error-relay-login-refused = Сервери ретранслятора відхилили вхід: { $reason }
