# Слова Ringside по-русски. Те же id и те же плейсхолдеры, что в en/ringside.ftl.
# Множественное число: CLDR для ru — one (1, 21…), few (2–4, 22–24…), many (0, 5–20, 25…), other (дроби).
# Обращение на «вы» (без рода); прошедшее время к агенту не применяется.

## The app and the agent's state

app-name = Ringside
app-starting = запуск…
app-not-running = не работает
agent-logged-out = вне системы
agent-available = приём звонков
agent-paused = пауза
agent-ringing = входящий вызов
agent-on-call = разговор
agent-wrap-up = постобработка
agent-since = с { $time }
agent-reason-since = { $reason }, с { $time }
agent-accepting = Принимаю звонки
agent-log-in = Войти
agent-log-out = Выйти
agent-no-reason = Без причины

## Supervisor: the team on the desk, switching another agent, the audit of switches, the tray's
## pause reasons, and their errors

team-title = Команда
team-queue = Очередь
team-all-queues = Все очереди
team-member = Оператор
team-state = Состояние
team-reason = Причина паузы
team-since = Длительность
team-calls-taken = Принято звонков
team-on-call = Разговор
team-on-call-yes = да
team-state-available = приём звонков
team-state-ringing = входящий вызов
team-state-in-call = разговор
team-state-paused = пауза
team-state-unavailable = недоступен
team-switch = Переключить
team-pause = Пауза
team-unpause = Принимать звонки
team-none = В очередях под наблюдением нет операторов
team-audit-title = Переключения
team-audit-none = Переключений пока нет
team-audit-accepting = приём звонков
team-audit-paused = пауза
team-audit-paused-reason = пауза ({ $reason })
team-audit-unknown = неизвестно
team-audit-switch = { $by } → { $member }: { $before } → { $after }
tray-pause-with = Пауза с причиной
cli-audit-none = Переключений не записано
error-supervisor-not-enabled = Это рабочее место не управляет другими операторами: укажите [supervisor] enabled = true в файле настроек
error-supervisor-not-permitted = Вашей учётной записи АТС нельзя ставить других операторов на паузу: попросите администратора АТС о праве записи «{ $permission }» (write = { $permission } в manager.conf)
error-supervisor-unknown-reason = «{ $reason }» — не одна из причин паузы; выберите одну из: { $known }
error-pbx-permission-denied = Учётной записи АТС нельзя отправлять { $action }: попросите администратора АТС о праве записи «{ $permission }» (write = { $permission } в manager.conf)

## Ringside's own pause reasons, by code (`[agent] pause_reasons`; the PBX gets the code)

pause-reason-break = Перерыв
pause-reason-lunch = Обед
pause-reason-training = Обучение
pause-reason-meeting = Совещание
pause-reason-back-office = Бэк-офис

source-connected = АТС: { $source }
source-disconnected = Нет связи с АТС: { $reason }
source-connecting = Подключение к АТС…

## A call

direction-incoming = Входящий
direction-outgoing = Исходящий
status-ringing = Звонит
status-dialing = Набор
status-on-call = Разговор
status-ended = Завершён
end-completed = Завершён
end-no-answer = Пропущен
end-answered-elsewhere = Принят другим
end-answered-by = Принят: { $who }
end-abandoned = Абонент положил трубку
end-busy = Занято
end-transferred = Переведён
end-failed = Ошибка: { $why }
end-interrupted = Прерван
outcome-answered = Принят
outcome-missed = Пропущен
outcome-answered-elsewhere = Принят другим
outcome-abandoned = Абонент положил трубку
outcome-failed = Ошибка
outcome-busy = Занято
outcome-transferred = Переведён
outcome-interrupted = Прерван
outcome-in-progress = Идёт

## The call card

card-unknown-caller = Неизвестный абонент
card-withheld = Номер скрыт
card-colleague = Коллега
card-looking-up = Поиск…
card-lookup-failed = Поиск не удался: { $why }
card-pick =
    { $n ->
        [one] Этот номер у { $n } клиента: выберите, кто звонит
        [few] Этот номер у { $n } клиентов: выберите, кто звонит
        [many] Этот номер у { $n } клиентов: выберите, кто звонит
       *[other] Этот номер у { $n } клиента: выберите, кто звонит
    }
card-queue = Очередь { $queue }
card-details = Подробнее
card-e164 = E.164
card-raw-number = Как передала АТС
card-call-id = Id звонка
card-caller-id-name = Имя в Caller ID
card-retry = Повторить
card-create = Создать клиента…
card-create-name = Имя
card-create-company = Компания (необязательно)
card-create-add = Добавить
card-create-in = Создать в
card-create-kind-customer = клиент
card-create-kind-contact = контакт
card-create-kind-lead = лид
card-cancel = Отмена
card-note-placeholder = Заметки (сохраняются по мере ввода)
card-note-saved = сохранено
card-recording = Запись
card-call-back = Перезвонить
card-hang-up = Положить трубку
card-close = Закрыть
card-minimize = Свернуть
card-expand = Развернуть
card-more =
    { $n ->
        [one] Ещё { $n } звонок
        [few] Ещё { $n } звонка
        [many] Ещё { $n } звонков
       *[other] Ещё { $n } звонка
    }
card-window-title = Ringside: звонок
customer-new-order = Добавить сделку/заказ
customer-directory = справочник клиентов
customer-caller = звонит
customer-pick = Звонит этот клиент
customer-lead = Лид
customer-owner = Ответственный: { $name }
deal-bound = звонок сюда
deal-bind = Привязать звонок сюда
deal-unbind = Привязать звонок к клиенту, а не к сделке
customer-open = Открыть в CRM
customer-match-same-e164 = тот же E.164
customer-match-last-digits =
    { $n ->
        [one] последняя { $n } цифра
        [few] последние { $n } цифры
        [many] последние { $n } цифр
       *[other] последние { $n } цифры
    }
customer-match-same-number-in = тот же номер в { $crm }
customer-match-created = создан во время этого звонка
customer-match-chosen-before = { $why }, выбран ранее

## Wrap-up

wrap-up-title = Постобработка
wrap-up-left = осталось { $time }
wrap-up-untimed = пока вы её не завершите
wrap-up-save = Сохранить
wrap-up-save-and-create = Сохранить и создать клиента
wrap-up-cancel = Отмена
wrap-up-end-early = Завершить раньше

## The desk

cards-none = Звонков пока нет. Карточки появятся здесь, когда позвонят.
dial-placeholder = Номер для звонка
dial-via = Звонить через
dial-call = Позвонить
link-question = Позвонить на { $number }?
link-not-a-customer = Нет среди ваших клиентов
link-lookup-failed = { $who } (поиск не удался: { $why })
link-service-code = В номере есть * или #: АТС может принять это за сервисный код (переадресация, голосовая почта). Звоните, только если так и задумано.
link-through = Через
link-always = Звонить по ссылкам без вопросов
link-cancel = Отмена
link-call = Позвонить
callbacks-tab = Перезвонить
callbacks-none = Никто не ждёт обратного звонка.
callbacks-waiting =
    { $n ->
        [one] { $n } абонент ждёт обратного звонка
        [few] { $n } абонента ждут обратного звонка
        [many] { $n } абонентов ждут обратного звонка
       *[other] { $n } абонента ждут обратного звонка
    }
callbacks-missed =
    { $n ->
        [one] { $n } пропущенный звонок
        [few] { $n } пропущенных звонка
        [many] { $n } пропущенных звонков
       *[other] { $n } пропущенного звонка
    }
callbacks-last = последний { $when }
callbacks-queue = очередь { $queue }
callbacks-call = Позвонить
callbacks-done = Готово
callbacks-done-title = Этому номеру больше не нужно перезванивать
history-tab = История
history-search = Поиск по номеру, имени или заметке
history-search-title = Ищет по мере ввода; слова из одной-двух букв — по Enter
history-missed-only = Только пропущенные
history-both-directions = Все направления
history-any-outcome = Любой итог
history-any-time = За всё время
history-today = Сегодня
history-last-7 = Последние 7 дней
history-last-30 = Последние 30 дней
history-none = Звонков пока нет.
history-agent = Агент (номер или имя)
history-connection = Подключение
history-call-id = Id звонка
history-no-match = Подходящих звонков нет.
history-more =
    { $n ->
        [one] Показан последний { $n } звонок: более ранние найдёт поиск.
        [few] Показаны последние { $n } звонка: более ранние найдёт поиск.
        [many] Показаны последние { $n } звонков: более ранние найдёт поиск.
       *[other] Показаны последние { $n } звонка: более ранние найдёт поиск.
    }
history-talked = разговор { $time }
history-queue = очередь { $queue }
history-deal = сделка: { $deal }
history-via = через { $connection }
history-unsaved = Ещё не записано на диск: Ringside пробует снова
history-crm = CRM: { $states }
history-crm-sent = { $target }: отправлено
history-crm-failed = { $target }: ошибка ({ $why })
history-crm-pending = { $target }: в очереди
settings-tab = Настройки звонков
settings-default = (по умолчанию)
settings-installed = Установлено: { $list }
settings-microsip-at = MicroSIP: { $path }
settings-zoiper-at = Zoiper: { $path }
settings-none-installed = MicroSIP и Zoiper не найдены.
settings-links-open-in = Ссылки { $scheme } открывает: { $app }
settings-no-app = никакое приложение
settings-ask-links = Спрашивать, прежде чем звонить по ссылке из другой программы
settings-become-handler = Открывать ссылки tel:, callto: и sip: в Ringside
settings-language = Язык
about-version = Ringside { $version }
about-demo = демо-АТС на { $addr }
about-config = настройки: { $path }
close = Закрыть
dismiss = Скрыть

## Languages: each named in its own language, the same in every file; "auto" follows the
## operating system.

language-auto = Автоматически (как в системе)
language-en = English
language-ru = Русский
language-uk = Українська
language-pl = Polski

## Notices: in the desk and as desktop notifications (src-tauri/words.rs)

notice-show = Показать
notice-auto-paused-summary = Ringside поставил вас на паузу
notice-auto-paused-body =
    { $n ->
        [one] { $n } звонок из очереди остался без ответа, поэтому вы на паузе во всех очередях (причина: «{ $reason }»). Включите «Принимаю звонки», когда вернётесь на место.
        [few] { $n } звонка из очереди подряд остались без ответа, поэтому вы на паузе во всех очередях (причина: «{ $reason }»). Включите «Принимаю звонки», когда вернётесь на место.
        [many] { $n } звонков из очереди подряд остались без ответа, поэтому вы на паузе во всех очередях (причина: «{ $reason }»). Включите «Принимаю звонки», когда вернётесь на место.
       *[other] { $n } звонка из очереди подряд остались без ответа, поэтому вы на паузе во всех очередях (причина: «{ $reason }»). Включите «Принимаю звонки», когда вернётесь на место.
    }
notice-missed-call-summary = Пропущенный звонок: { $who }
notice-withheld = скрытый номер
notice-missed-call-body =
    { $n ->
        [1] Абонент в списке для обратного звонка.
        [one] В списке для обратного звонка { $n } абонент.
        [few] В списке для обратного звонка { $n } абонента.
        [many] В списке для обратного звонка { $n } абонентов.
       *[other] В списке для обратного звонка { $n } абонента.
    }
notice-incoming-call-summary = Входящий звонок: { $who }
notice-wrap-up-resumed-summary = Постобработка продолжается
notice-wrap-up-resumed-body = Ringside перезапустился во время постобработки. Она закончится сама через { $secs } с; завершить раньше можно в окне Ringside.
notice-wrap-up-pause-cleared-summary = Приём звонков снова включён
notice-wrap-up-pause-cleared-body = Ваши очереди оставались на паузе после законченной постобработки (Ringside был закрыт или терял связь с АТС), поэтому Ringside снова включил приём звонков.

## The tray icon's menu and tooltip

tray-tooltip = Ringside: { $state }
tray-state-reason = { $state } ({ $reason })
tray-pbx-disconnected = Нет связи с АТС
tray-missed =
    { $n ->
        [0] Пропущенных звонков нет
        [one] Перезвонить { $n } абоненту
        [few] Перезвонить { $n } абонентам
        [many] Перезвонить { $n } абонентам
       *[other] Перезвонить { $n } абонента
    }
tray-show-card = Показать карточку звонка
tray-show-window = Показать окно
tray-quit = Выйти из Ringside

## Errors, by their code: `error-` and the code with every "." and "_" as "-"

error-app-starting = Ringside ещё запускается; попробуйте через минуту
error-app-not-running = Ringside не работает: { $reason }
error-app-stopping = Ringside завершает работу
error-app-no-browser = Не удалось открыть браузер: { $reason }
error-app-window-gone = Окно Ringside закрыто
error-agent-not-now =
    { $state ->
        [logged_out] Сначала войдите в систему
        [ringing] Не сейчас: идёт входящий вызов
        [on_call] Не сейчас: идёт разговор
        [wrap_up] Не сейчас: идёт постобработка
       *[other] Сейчас это невозможно
    }
error-agent-other-call = Это не текущий звонок
error-agent-busy = Идёт разговор; сначала завершите его
error-number-empty = Нет номера для звонка
error-number-forbidden-character = { $character } ({ $code_point }) не может быть в номере телефона: набрать можно только цифры, + в начале, * и #
error-number-too-long = Номер слишком длинный для телефонного (цифр не больше { $max })
error-pbx-no-secret = Нет пароля AMI для пользователя { $username }: сохраните его командой «ringside-cli secret set» или задайте { $env }
error-pbx-unreachable = Не удаётся связаться с АТС по адресу { $addr }
error-pbx-no-answer = АТС по адресу { $addr } не отвечает
error-pbx-not-ami = { $addr } — это не Asterisk Manager Interface
error-pbx-login-refused = АТС отклонила вход в AMI для пользователя { $username }: неверное имя или пароль
error-pbx-refused = АТС отклонила { $action }: { $reason }
error-pbx-call-not-placed = Звонок не состоялся: { $reason }
error-pbx-action-timeout = АТС не ответила на { $action } за { $secs } с
error-pbx-stopped-answering = АТС перестала отвечать
error-pbx-connection-lost = Связь с АТС потеряна
error-pbx-bad-frame = АТС прислала данные, которые Ringside не может прочитать
error-pbx-bad-action = Ringside не смог отправить это на АТС
error-pbx-not-connected = Нет связи с АТС; попробуйте, когда она восстановится
error-pbx-logged-out = Выход из АТС выполнен
error-keychain-unavailable = Хранилище паролей системы недоступно
error-demo-not-started = Не удалось запустить демо-АТС
error-call-none = Нет звонка, который можно завершить
error-card-gone = Карточка этого звонка уже закрыта
error-card-no-such-deal = Эта сделка у клиента уже не открыта; найдите звонящего заново
error-customer-pick-not-remembered = Клиент выбран для этого звонка, но Ringside не смог запомнить выбор для следующих
error-customer-no-name = Укажите имя клиента
error-customer-not-saved = Не удалось сохранить клиента
error-customer-no-page = У { $name } нет страницы в CRM
error-customer-no-such-target = В { $target } нельзя создавать клиентов; можно в: { $known }
error-customer-create-in-progress = Клиент уже создаётся в { $target }; подождите
error-customer-no-order-page = В { $source } нет страницы для нового заказа: { $reason }
error-crm-create-failed = Не удалось создать клиента в { $crm }: { $reason }
error-directory-unavailable = Справочник клиентов недоступен
error-directory-failed-earlier = В справочнике клиентов ранее произошла ошибка; перезапустите Ringside
error-directory-failed = Ошибка справочника клиентов
error-dial-provider-refused = Оператор телефонии не совершил звонок
error-dial-no-connection = Подключения { $name } нет; есть: { $known }
error-dial-service-code = В номере { $number } есть * или #: АТС может принять это за сервисный код (переадресация, голосовая почта); подтвердите звонок
error-dial-not-on-this-computer = Это подключение не звонит с этого компьютера
error-dial-softphone-not-installed = { $app } не установлен в { $path } (настройка { $setting })
error-dial-softphone-not-found = { $app } не найден на этом компьютере (настройка { $setting })
error-dial-not-started = Не удалось запустить { $program }: { $reason }
error-dial-misconfigured = Подключение { $connection } настроено неверно: { $reason }
error-dial-link-handler = Не удалось запустить обработчик ссылок системы
error-link-not-dialable = По этой ссылке нельзя позвонить: { $reason }
error-link-loop = Ringside передал номер обработчику ссылок tel:, а это сам Ringside; звонок не совершён
error-links-macos-at-install = В macOS Ringside открывает ссылки tel: после установки из образа диска; выберите его приложением для звонков в настройках FaceTime
error-links-not-registered = Ringside не смог стать обработчиком ссылок { $scheme }: { $reason }
error-recording-none = АТС не сообщила о записи этого звонка
error-history-no-folder = Нет домашней папки для истории звонков
error-history-stopped = История звонков остановилась; перезапустите Ringside
error-history-missing-folder = Ringside не может открыть историю звонков: папки { $path } нет
error-history-read-only = Ringside не может записать историю звонков ({ $path }): она только для чтения
error-history-cannot-open = Ringside не может открыть историю звонков ({ $path })
error-history-not-a-history = { $path } — база данных, но не история звонков Ringside
error-history-damaged = История звонков Ringside { $path } повреждена; переместите её (Ringside начнёт новую) или восстановите из резервной копии
error-history-too-new = История звонков { $path } записана более новым Ringside (формат { $found }; эта версия читает до { $supported }); обновите Ringside
error-history-busy = История звонков { $path } занята другой программой; попробуйте ещё раз
error-history-not-saved-kept = Ringside не может записать историю звонков ({ $path }): { $problem }. Изменение сохранено в памяти и будет записано позже.
error-history-not-saved = Ringside не может записать историю звонков ({ $path }): { $problem }
error-history-no-such-call = В истории нет звонка { $call }
error-history-call-not-ended = Звонок { $call } ещё не завершён
error-history-no-such-item = В истории нет такой записи для CRM
error-history-invalid = История звонков отклонила этот запрос
error-history-export-failed = Ringside не смог завершить экспорт; файл экспорта неполный
error-history-database = Не удалось прочитать или записать историю звонков

## ringside-cli's words for people (its JSON is not translated)

cli-failed = ringside-cli: { $message }
cli-lookup-internal = { $number } — внутренний номер (коллега), поиск не выполняется
cli-lookup-found =
    { $n ->
        [0] { $key }: неизвестный абонент
        [one] { $key }: { $n } клиент
        [few] { $key }: { $n } клиента (выберите одного)
        [many] { $key }: { $n } клиентов (выберите одного)
       *[other] { $key }: { $n } клиента (выберите одного)
    }
cli-lookup-failed = поиск не удался: { $why }
cli-customers-created = создан клиент { $name } в { $source } ({ $id })
cli-customers-no-id = в ответе нет id
cli-customers-id = id { $id }
cli-customers-added = добавлен клиент { $name } (id { $id })
cli-customers-exported =
    { $n ->
        [one] { $n } клиент записан в { $file }
        [few] { $n } клиента записаны в { $file }
        [many] { $n } клиентов записаны в { $file }
       *[other] { $n } клиента записаны в { $file }
    }
cli-customers-target = { $name }{ $label }: создаёт { $kind }
cli-customers-say-where = укажите, где создать: --in TARGET
cli-history-none = звонков пока нет
cli-history-no-match = подходящих звонков нет
cli-history-note = заметка: { $note }
cli-history-recording = запись: { $url }
cli-history-exported =
    { $n ->
        [one] { $n } звонок записан в { $file }
        [few] { $n } звонка записаны в { $file }
        [many] { $n } звонков записаны в { $file }
       *[other] { $n } звонка записаны в { $file }
    }
cli-demo-ringing = звоним на { $to } с { $from }
cli-pbx-calling = звоним на { $number }
cli-pbx-handed-over = номер { $number } передан
cli-pbx-ringing-you = Звонит { $device }; ответьте, чтобы позвонить на { $number }…
cli-pbx-not-confirmed = { $interface }: АТС приняла запрос, но не подтвердила его за 3 с
cli-pbx-left-queues = { $interface } больше не в отслеживаемых очередях
cli-customers-seeded = создан { $file }, демо-клиентов: { $n }
cli-lookup-sources =
    { $n ->
        [one] { $number }: { $n } клиент из { $sources } за { $ms } мс
        [few] { $number }: { $n } клиента из { $sources } за { $ms } мс
        [many] { $number }: { $n } клиентов из { $sources } за { $ms } мс
       *[other] { $number }: { $n } клиента из { $sources } за { $ms } мс
    }
cli-lookup-chosen-before = (выбран ранее)
cli-import-report = { $file }: добавлено { $added }, обновлено { $updated }, без изменений { $unchanged }, пропущено { $skipped }
cli-import-more = … и ещё { $n }
cli-demo-listening = демо-АТС слушает { $addr } (AMI; любой пользователь, пароль «{ $secret }»); агенты 100 и 101, очередь 600. Ctrl-C останавливает её.
cli-history-by = агент { $agent }
cli-history-crm-failed =
    { $n ->
        [one] { $target }: ошибка ({ $n } попытка): { $why }
        [few] { $target }: ошибка ({ $n } попытки): { $why }
        [many] { $target }: ошибка ({ $n } попыток): { $why }
       *[other] { $target }: ошибка ({ $n } попытки): { $why }
    }
cli-pbx-in-queue = в очереди { $queue }
cli-pbx-in-all-queues = во всех очередях
cli-member-available = принимает звонки
cli-member-ringing = вызов
cli-member-in-call = разговор
cli-member-unavailable = не в сети
cli-member-paused = пауза
cli-secret-stored = { $label }: сохранено в хранилище паролей системы
cli-secret-removed = { $label }: удалено из хранилища паролей системы

## The settings window
prefs-title = Настройки Ringside
tray-settings = Настройки…
desk-open-settings = Настройки
prefs-section-pbx = Телефонная система
prefs-section-calls = Звонки и карточка
prefs-section-crm = CRM
prefs-section-dial = Набор номера
prefs-section-general = Общие
prefs-source-kind = Откуда звонки
prefs-demo-explained = Встроенная демо-АТС: попробуйте Ringside без телефонной системы. Выберите «ami», чтобы подключиться к вашему Asterisk.
prefs-ami-host = Адрес АТС
prefs-ami-port = Порт AMI
prefs-ami-username = Пользователь AMI
prefs-ami-originate-context = Контекст исходящих звонков
prefs-ami-connect-timeout = Время на подключение, секунд
prefs-ami-ping-interval = Проверять соединение каждые, секунд
prefs-agent = Вы на АТС
prefs-agent-extension = Внутренний номер
prefs-agent-name = Ваше имя
prefs-agent-interfaces = Интерфейсы в очередях (по одному в строке)
prefs-wrap-up = Обработка после каждого принятого звонка
prefs-wrap-up-secs = Обработка заканчивается сама через, секунд (0: никогда)
prefs-auto-pause = Перестать принимать звонки после стольких пропущенных звонков очереди (0: выключено)
prefs-internal-max-len = Такие короткие номера — внутренние номера коллег
prefs-card-opens-on = Карточка открывается
prefs-card-corner = Угол карточки
prefs-card-stack-limit = Карточек одновременно
prefs-card-autoclose = Закрывать карточку звонка, не принятого здесь, через, секунд
prefs-internal-delay = Ждать перед карточкой коллеги, миллисекунд
prefs-notify-incoming = Уведомлять о входящем звонке
prefs-language = Язык
prefs-start-at-login = Запускать Ringside при входе в систему
prefs-region = Регион для номеров без кода страны
prefs-supervisor = Супервизор: показывать команду
prefs-supervisor-queues = Очереди под наблюдением (по одной в строке; пусто: все)
prefs-confirm-links = Спрашивать перед звонком по ссылке из другой программы
prefs-crm-url = Адрес поиска
prefs-crm-auth-header = Заголовок с ключом
prefs-crm-auth-prefix = Перед ключом
prefs-crm-card-url = Страница клиента
prefs-crm-log-url = Куда записывать завершённые звонки
prefs-crm-create-url = Где создавать новых клиентов
prefs-crm-create-as = «Создать клиента» создаёт
prefs-crm-auto-create = Создавать неизвестного абонента, которому я ответил
prefs-dial-format = Формат номера
prefs-dial-prefix = Префикс
prefs-dial-path = Путь к программе
prefs-dial-scheme = Тип ссылки
prefs-dial-program = Программа
prefs-dial-args = Аргументы (по одному в строке)
prefs-dial-key = Ключ API (публичная часть)
prefs-dial-extension = Линия, которая звонит первой
prefs-dial-project = Проект
prefs-secret = Секрет
prefs-secret-type = Введите, чтобы сохранить в хранилище ключей
prefs-secret-replace = Введите новый, чтобы заменить
prefs-secret-stored = Хранится в системном хранилище ключей.
prefs-secret-remove = Удалить
prefs-secret-missing = Ещё не сохранён.
prefs-secret-no-keychain = На этом компьютере нет хранилища ключей: задайте переменную окружения { $env }.
prefs-secret-from-env = Берётся из переменной окружения { $env }.
prefs-test = Проверить соединение
prefs-test-number = Номер для проверки
prefs-step-demo = Демо-АТС
prefs-step-tcp = Сеть
prefs-step-banner = Asterisk отвечает
prefs-step-secret = Секрет
prefs-step-login = Вход
prefs-step-permissions = Права
prefs-step-events = События
prefs-step-agent-device = Ваше устройство
prefs-step-key = Ключ
prefs-step-lookup = Поиск
prefs-step-plan = Что сделает звонок
prefs-remove = Удалить
prefs-profile-name = название
prefs-add-crm = Добавить CRM
prefs-add-dial = Добавить подключение
prefs-locked = Задано вашим ИТ-отделом
prefs-system-file = Часть настроек берётся из { $file } и заблокирована.
prefs-user-file = Сохранено в { $file }
prefs-support = Поддержка
prefs-support-hint = Для обращения в поддержку: версия, ваша система, эти настройки без паролей и ключей, проверка подключения и последние строки журнала Ringside.
prefs-copy-diagnostics = Скопировать диагностику
prefs-updates = Обновления
prefs-updates-check = Проверять обновления при запуске и ежедневно
prefs-updates-url = Адрес обновлений (пусто: адрес Ringside)
prefs-check-updates = Проверить обновления сейчас
update-checking = Ищем обновление…
update-up-to-date = Ringside { $version } — последняя версия.
update-ready = Ringside { $version } готов к установке.
update-install = Установить и перезапустить
update-later = Позже
prefs-diagnostics-copied = { $lines ->
    [one] Скопирована { $lines } строка. Вставьте её в обращение.
    [few] Скопировано { $lines } строки. Вставьте их в обращение.
    [many] Скопировано { $lines } строк. Вставьте их в обращение.
   *[other] Скопировано { $lines } строки. Вставьте их в обращение.
}
prefs-save = Сохранить
prefs-saved = Сохранено. Ringside уже использует новые настройки.
welcome-title = Добро пожаловать в Ringside
welcome-text = Ringside показывает, кто звонит, и следит, принимаете ли вы звонки. Откуда будут приходить звонки?
welcome-demo = Попробовать с демо-АТС
welcome-connect = Подключиться к моей АТС
error-settings-locked = { $key } задаёт ваш ИТ-отдел, здесь это не изменить
error-settings-bad-change = Это изменение нельзя сохранить: { $reason }
error-settings-invalid = Настройки не сохранены: { $reason }
error-diagnostics-clipboard = Не удалось скопировать диагностику в буфер обмена: { $reason }
error-update-no-key = В этой сборке Ringside нет ключа обновлений: обновления приходят с пакетами вашего ИТ-отдела.
error-update-no-url = Адрес обновлений не задан: укажите его в настройках или получайте обновления с пакетами вашего ИТ-отдела.
error-update-bad-signature = Найдено обновление, но его подпись не совпадает с ключом обновлений Ringside. Оно отклонено и не установлено.
error-update-insecure = Адрес обновлений должен начинаться с https://
error-update-no-package = В обновлении нет пакета для этой системы.
error-update-unreachable = Сервер обновлений недоступен: { $reason }
error-update-failed = Не удалось проверить обновления: { $reason }
error-update-on-call = Ringside обновится после звонка: сначала завершите его и постобработку.
error-update-none = Нет обновления, готового к установке.
error-settings-write-failed = Не удалось записать файл настроек, ничего не изменено: { $reason }
error-settings-no-folder = Нет домашней папки для файла настроек
error-settings-no-such-secret = В этих настройках нет секрета { $which }
error-settings-empty-secret = Сначала введите секрет
error-settings-secret-refused = Ключ не сохранён: { $reason }
error-keychain-not-stored = На этом компьютере нет хранилища ключей: задайте переменную окружения { $env }
error-config-invalid = Файл настроек нельзя использовать: { $reason }
error-pbx-reconnecting = Подключение с новыми настройками
prefs-opt-source-demo = Встроенная демо-АТС
prefs-opt-source-ami = Asterisk (AMI)
prefs-opt-opens-ringing = Когда звонит
prefs-opt-opens-answer = Когда я отвечаю
prefs-opt-opens-never = Только по моему запросу
prefs-opt-corner-auto = Ближайший к трею
prefs-opt-corner-top-right = Справа вверху
prefs-opt-corner-bottom-right = Справа внизу
prefs-opt-corner-top-left = Слева вверху
prefs-opt-corner-bottom-left = Слева внизу
prefs-opt-notify-when-card-hidden = Когда карточки не видно
prefs-opt-notify-always = Всегда
prefs-opt-notify-never = Никогда
prefs-opt-format-e164 = Международный с + (+380441234567)
prefs-opt-format-national = Национальный (0441234567)
prefs-opt-format-international = Международный без + (380441234567)
prefs-opt-format-as-typed = Как введено
prefs-opt-create-contact = Контакт
prefs-opt-create-lead = Лид
prefs-opt-create-off = Выключено
prefs-locked-badge = заблокировано
prefs-pause-reasons = Причины паузы (по одной в строке: код: название)
prefs-lookup-timeout = Ограничение времени поиска, миллисекунд
prefs-lookup-order = Где искать абонентов, по порядку (по одному в строке)
prefs-dial-default = Подключение по умолчанию
prefs-dial-default-first = Первое
prefs-crm-log-update-url = Куда отправлять изменения записанного звонка
prefs-crm-new-order-url = Страница нового заказа
prefs-opt-create-customer = Клиент
prefs-crm-plain-http = Разрешить обычный http:// к другому компьютеру
prefs-crm-field-list = Ответ: список клиентов (JSON pointer)
prefs-crm-field-id = Идентификатор клиента
prefs-crm-field-name = Имя клиента
prefs-crm-field-company = Компания
prefs-crm-field-url = Страница клиента
prefs-crm-field-orders = Открытые заказы
prefs-crm-field-phone = Куда записать номер нового клиента
prefs-directory-path = Файл справочника клиентов (пусто: по умолчанию)
prefs-history-path = Файл истории звонков (пусто: по умолчанию)
prefs-opt-source-nats = Ретранслятор Ringside (NATS)
prefs-nats-servers = Серверы ретранслятора (по одному в строке: nats://… или tls://…)
prefs-nats-tenant = Контакт-центр (тенант)
prefs-nats-user = Пользователь ретранслятора
prefs-step-connect = Серверы ретранслятора
prefs-step-relay = Ретранслятор отвечает
error-relay-unavailable = Ретранслятор недоступен: { $reason }
error-relay-refused = Ретранслятор отказал: { $reason }
error-relay-no-secret = Нет пароля ретранслятора для пользователя { $user }: введите его в настройках или задайте { $env }
error-relay-unreachable = Серверы ретранслятора недоступны: { $reason }
error-relay-login-refused = Серверы ретранслятора отклонили вход: { $reason }
