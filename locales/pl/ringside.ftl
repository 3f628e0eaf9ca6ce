# Słowa Ringside po polsku. Te same id i te same symbole zastępcze co w en/ringside.ftl.
# Liczba mnoga: CLDR dla pl — one (1), few (2–4, 22–24…, bez 12–14), many (0, 5–21, 25…), other (ułamki).
# Bez rodzaju: tryb rozkazujący, czas teraźniejszy i przyszły, formy bezosobowe („zapisano”), „osoba”.

## The app and the agent's state

app-name = Ringside
app-starting = uruchamianie…
app-not-running = nie działa
agent-logged-out = wylogowano
agent-available = przyjmowanie połączeń
agent-paused = przerwa
agent-ringing = dzwoni
agent-on-call = rozmowa
agent-wrap-up = praca po rozmowie
agent-since = od { $time }
agent-reason-since = { $reason }, od { $time }
agent-accepting = Przyjmuję połączenia
agent-log-in = Zaloguj
agent-log-out = Wyloguj
agent-no-reason = Bez powodu

## Supervisor: the team on the desk, switching another agent, the audit of switches, the tray's
## pause reasons, and their errors

team-title = Zespół
team-queue = Kolejka
team-all-queues = Wszystkie kolejki
team-member = Konsultant
team-state = Stan
team-reason = Powód przerwy
team-since = Czas trwania
team-calls-taken = Odebrane połączenia
team-on-call = Rozmowa
team-on-call-yes = tak
team-state-available = przyjmowanie połączeń
team-state-ringing = dzwoni
team-state-in-call = rozmowa
team-state-paused = przerwa
team-state-unavailable = niedostępny
team-switch = Przełącz
team-pause = Przerwa
team-unpause = Przyjmuj połączenia
team-none = W nadzorowanych kolejkach nie ma konsultantów
team-audit-title = Przełączenia
team-audit-none = Na razie brak przełączeń
team-audit-accepting = przyjmowanie połączeń
team-audit-paused = przerwa
team-audit-paused-reason = przerwa ({ $reason })
team-audit-unknown = nieznany
team-audit-switch = { $by } → { $member }: { $before } → { $after }
tray-pause-with = Przerwa z powodem
cli-audit-none = Nie zapisano przełączeń
error-supervisor-not-enabled = To stanowisko nie nadzoruje innych konsultantów: ustaw [supervisor] enabled = true w pliku konfiguracji
error-supervisor-not-permitted = Twoje konto centrali nie może wstrzymywać innych konsultantów: poproś administratora centrali o uprawnienie zapisu „{ $permission }” (write = { $permission } w manager.conf)
error-supervisor-unknown-reason = „{ $reason }” nie jest jednym z powodów przerwy; wybierz jeden z: { $known }
error-pbx-permission-denied = Konto centrali nie może wysyłać { $action }: poproś administratora centrali o uprawnienie zapisu „{ $permission }” (write = { $permission } w manager.conf)

## Ringside's own pause reasons, by code (`[agent] pause_reasons`; the PBX gets the code)

pause-reason-break = Przerwa
pause-reason-lunch = Lunch
pause-reason-training = Szkolenie
pause-reason-meeting = Spotkanie
pause-reason-back-office = Back office

source-connected = Centrala: { $source }
source-disconnected = Brak połączenia z centralą: { $reason }
source-connecting = Łączenie z centralą…

## A call

direction-incoming = Przychodzące
direction-outgoing = Wychodzące
status-ringing = Dzwoni
status-dialing = Wybieranie
status-on-call = Rozmowa
status-ended = Zakończone
end-completed = Zakończone
end-no-answer = Nieodebrane
end-answered-elsewhere = Odebrane gdzie indziej
end-answered-by = Odebrane przez: { $who }
end-abandoned = Rozłączone przed odebraniem
end-busy = Zajęte
end-transferred = Przekazane
end-failed = Błąd: { $why }
end-interrupted = Przerwane
outcome-answered = Odebrane
outcome-missed = Nieodebrane
outcome-answered-elsewhere = Odebrane gdzie indziej
outcome-abandoned = Rozłączone przed odebraniem
outcome-failed = Błąd
outcome-busy = Zajęte
outcome-transferred = Przekazane
outcome-interrupted = Przerwane
outcome-in-progress = W toku

## The call card

card-unknown-caller = Nieznany rozmówca
card-withheld = Numer zastrzeżony
card-colleague = Połączenie wewnętrzne
card-looking-up = Wyszukiwanie…
card-lookup-failed = Wyszukiwanie nie powiodło się: { $why }
card-pick =
    { $n ->
        [one] Numer należy do { $n } klienta: wybierz, kto dzwoni
        [few] Numer należy do { $n } klientów: wybierz, kto dzwoni
        [many] Numer należy do { $n } klientów: wybierz, kto dzwoni
       *[other] Numer należy do { $n } klienta: wybierz, kto dzwoni
    }
card-queue = Kolejka { $queue }
card-details = Szczegóły
card-e164 = E.164
card-raw-number = Tak, jak przesłała centrala
card-call-id = Id połączenia
card-caller-id-name = Nazwa w Caller ID
card-retry = Ponów
card-create = Utwórz klienta…
card-create-name = Imię i nazwisko
card-create-company = Firma (opcjonalnie)
card-create-add = Dodaj
card-create-in = Utwórz w
card-create-kind-customer = klient
card-create-kind-contact = kontakt
card-create-kind-lead = lead
card-cancel = Anuluj
card-note-placeholder = Notatki (zapisywane na bieżąco)
card-note-saved = zapisano
card-recording = Nagranie
card-call-back = Oddzwoń
card-hang-up = Rozłącz
card-close = Zamknij
card-minimize = Minimalizuj
card-expand = Rozwiń
card-more =
    { $n ->
        [one] Jeszcze { $n } połączenie
        [few] Jeszcze { $n } połączenia
        [many] Jeszcze { $n } połączeń
       *[other] Jeszcze { $n } połączenia
    }
card-window-title = Ringside: połączenie
customer-new-order = Dodaj transakcję/zamówienie
customer-directory = katalog klientów
customer-caller = dzwoni
customer-pick = To ta osoba dzwoni
customer-lead = Lead
customer-owner = Odpowiedzialny: { $name }
deal-bound = tu zapisane połączenie
deal-bind = Zapisz połączenie tutaj
deal-unbind = Zapisz połączenie przy kliencie, nie przy transakcji
customer-open = Otwórz w CRM
customer-match-same-e164 = ten sam E.164
customer-match-last-digits =
    { $n ->
        [one] ostatnia { $n } cyfra
        [few] ostatnie { $n } cyfry
        [many] ostatnich { $n } cyfr
       *[other] ostatnie { $n } cyfry
    }
customer-match-same-number-in = ten sam numer w { $crm }
customer-match-created = utworzono podczas tego połączenia
customer-match-chosen-before = { $why }, wybrano wcześniej

## Wrap-up

wrap-up-title = Praca po rozmowie
wrap-up-left = zostało { $time }
wrap-up-untimed = dopóki jej nie zakończysz
wrap-up-save = Zapisz
wrap-up-save-and-create = Zapisz i utwórz klienta
wrap-up-cancel = Anuluj
wrap-up-end-early = Zakończ wcześniej

## The desk

cards-none = Na razie brak połączeń. Karty pojawią się tutaj, gdy ktoś zadzwoni.
dial-placeholder = Numer do wybrania
dial-via = Dzwoń przez
dial-call = Zadzwoń
link-question = Zadzwonić pod { $number }?
link-not-a-customer = Nie ma wśród Twoich klientów
link-lookup-failed = { $who } (wyszukiwanie nie powiodło się: { $why })
link-service-code = Ten numer zawiera * lub #, które centrala może odczytać jako kod usługi (przekierowanie, poczta głosowa). Dzwoń tylko wtedy, gdy tego oczekujesz.
link-through = Przez
link-always = Dzwoń z linków bez pytania
link-cancel = Anuluj
link-call = Zadzwoń
callbacks-tab = Do oddzwonienia
callbacks-none = Nikt nie czeka na oddzwonienie.
callbacks-waiting =
    { $n ->
        [one] { $n } osoba czeka na oddzwonienie
        [few] { $n } osoby czekają na oddzwonienie
        [many] { $n } osób czeka na oddzwonienie
       *[other] { $n } osoby czeka na oddzwonienie
    }
callbacks-missed =
    { $n ->
        [one] { $n } nieodebrane połączenie
        [few] { $n } nieodebrane połączenia
        [many] { $n } nieodebranych połączeń
       *[other] { $n } nieodebranego połączenia
    }
callbacks-last = ostatnio { $when }
callbacks-queue = kolejka { $queue }
callbacks-call = Zadzwoń
callbacks-done = Gotowe
callbacks-done-title = Nie trzeba już oddzwaniać na ten numer
history-tab = Historia
history-search = Szukaj numeru, nazwy lub notatki
history-search-title = Szuka podczas pisania; słowa z jednej lub dwóch liter po naciśnięciu Enter
history-missed-only = Tylko nieodebrane
history-both-directions = Oba kierunki
history-any-outcome = Dowolny wynik
history-any-time = Dowolny czas
history-today = Dzisiaj
history-last-7 = Ostatnie 7 dni
history-last-30 = Ostatnie 30 dni
history-none = Na razie brak połączeń.
history-agent = Agent (numer wewnętrzny lub nazwa)
history-connection = Łącze
history-call-id = Id połączenia
history-no-match = Żadne połączenie nie pasuje.
history-more =
    { $n ->
        [one] Pokazano { $n } najnowsze połączenie: starsze znajdzie wyszukiwanie.
        [few] Pokazano { $n } najnowsze połączenia: starsze znajdzie wyszukiwanie.
        [many] Pokazano { $n } najnowszych połączeń: starsze znajdzie wyszukiwanie.
       *[other] Pokazano { $n } najnowszego połączenia: starsze znajdzie wyszukiwanie.
    }
history-talked = rozmowa { $time }
history-queue = kolejka { $queue }
history-deal = transakcja: { $deal }
history-via = przez { $connection }
history-unsaved = Jeszcze niezapisane na dysku: Ringside ponawia próby
history-crm = CRM: { $states }
history-crm-sent = { $target }: wysłano
history-crm-failed = { $target }: błąd ({ $why })
history-crm-pending = { $target }: oczekuje
settings-tab = Ustawienia dzwonienia
settings-default = (domyślne)
settings-installed = Zainstalowano: { $list }
settings-microsip-at = MicroSIP: { $path }
settings-zoiper-at = Zoiper: { $path }
settings-none-installed = Nie znaleziono MicroSIP ani Zoipera.
settings-links-open-in = Linki { $scheme } otwiera: { $app }
settings-no-app = żadna aplikacja
settings-ask-links = Pytaj przed zadzwonieniem z linku klikniętego w innym programie
settings-become-handler = Otwieraj linki tel:, callto: i sip: w Ringside
settings-language = Język
about-version = Ringside { $version }
about-demo = centrala demo na { $addr }
about-config = konfiguracja: { $path }
close = Zamknij
dismiss = Ukryj

## Languages: each named in its own language, the same in every file; "auto" follows the
## operating system.

language-auto = Automatycznie (jak w systemie)
language-en = English
language-ru = Русский
language-uk = Українська
language-pl = Polski

## Notices: in the desk and as desktop notifications (src-tauri/words.rs)

notice-show = Pokaż
notice-auto-paused-summary = Ringside wstrzymał przyjmowanie połączeń
notice-auto-paused-body =
    { $n ->
        [one] { $n } połączenie z kolejki pozostało bez odpowiedzi, więc masz przerwę we wszystkich kolejkach (powód: „{ $reason }”). Włącz „Przyjmuję połączenia”, gdy wrócisz do biurka.
        [few] { $n } połączenia z kolejki z rzędu pozostały bez odpowiedzi, więc masz przerwę we wszystkich kolejkach (powód: „{ $reason }”). Włącz „Przyjmuję połączenia”, gdy wrócisz do biurka.
        [many] { $n } połączeń z kolejki z rzędu pozostało bez odpowiedzi, więc masz przerwę we wszystkich kolejkach (powód: „{ $reason }”). Włącz „Przyjmuję połączenia”, gdy wrócisz do biurka.
       *[other] { $n } połączenia z kolejki z rzędu pozostało bez odpowiedzi, więc masz przerwę we wszystkich kolejkach (powód: „{ $reason }”). Włącz „Przyjmuję połączenia”, gdy wrócisz do biurka.
    }
notice-missed-call-summary = Nieodebrane połączenie: { $who }
notice-withheld = numer zastrzeżony
notice-missed-call-body =
    { $n ->
        [1] Ta osoba jest na liście do oddzwonienia.
        [one] Na liście do oddzwonienia jest { $n } osoba.
        [few] Na liście do oddzwonienia są { $n } osoby.
        [many] Na liście do oddzwonienia jest { $n } osób.
       *[other] Na liście do oddzwonienia jest { $n } osoby.
    }
notice-incoming-call-summary = Połączenie przychodzące: { $who }
notice-wrap-up-resumed-summary = Praca po rozmowie trwa dalej
notice-wrap-up-resumed-body = Ringside uruchomił się ponownie w trakcie pracy po rozmowie. Zakończy się ona sama za { $secs } s; wcześniej możesz ją zakończyć w oknie Ringside.
notice-wrap-up-pause-cleared-summary = Znów przyjmujesz połączenia
notice-wrap-up-pause-cleared-body = Twoje kolejki nadal były wstrzymane po zakończonej pracy po rozmowie (Ringside był zamknięty lub stracił połączenie z centralą), więc Ringside ponownie włączył przyjmowanie połączeń.

## The tray icon's menu and tooltip

tray-tooltip = Ringside: { $state }
tray-state-reason = { $state } ({ $reason })
tray-pbx-disconnected = Brak połączenia z centralą
tray-missed =
    { $n ->
        [0] Brak nieodebranych połączeń
        [one] Oddzwoń do { $n } osoby
        [few] Oddzwoń do { $n } osób
        [many] Oddzwoń do { $n } osób
       *[other] Oddzwoń do { $n } osoby
    }
tray-show-card = Pokaż kartę połączenia
tray-show-window = Pokaż okno
tray-quit = Zakończ Ringside

## Errors, by their code: `error-` and the code with every "." and "_" as "-"

error-app-starting = Ringside jeszcze się uruchamia; spróbuj za chwilę
error-app-not-running = Ringside nie działa: { $reason }
error-app-stopping = Ringside kończy pracę
error-app-no-browser = Nie udało się uruchomić przeglądarki: { $reason }
error-app-window-gone = Okno Ringside jest zamknięte
error-agent-not-now =
    { $state ->
        [logged_out] Najpierw się zaloguj
        [ringing] Nie teraz: dzwoni połączenie
        [on_call] Nie teraz: trwa rozmowa
        [wrap_up] Nie teraz: trwa praca po rozmowie
       *[other] Teraz to niemożliwe
    }
error-agent-other-call = To nie jest bieżące połączenie
error-agent-busy = Trwa rozmowa; najpierw ją zakończ
error-number-empty = Brak numeru do wybrania
error-number-forbidden-character = { $character } ({ $code_point }) nie może być częścią numeru telefonu; można wybrać tylko cyfry, + na początku, * i #
error-number-too-long = Numer jest za długi jak na numer telefonu (maksymalna liczba cyfr: { $max })
error-pbx-no-secret = Brak hasła AMI dla użytkownika { $username }: zapisz je poleceniem „ringside-cli secret set” albo ustaw { $env }
error-pbx-unreachable = Nie można połączyć się z centralą pod adresem { $addr }
error-pbx-no-answer = Centrala pod adresem { $addr } nie odpowiada
error-pbx-not-ami = { $addr } to nie jest Asterisk Manager Interface
error-pbx-login-refused = Centrala odrzuciła logowanie AMI użytkownika { $username }: zła nazwa użytkownika lub hasło
error-pbx-refused = Centrala odrzuciła { $action }: { $reason }
error-pbx-call-not-placed = Połączenie nie zostało nawiązane: { $reason }
error-pbx-action-timeout = Centrala nie odpowiedziała na { $action } w ciągu { $secs } s
error-pbx-stopped-answering = Centrala przestała odpowiadać
error-pbx-connection-lost = Utracono połączenie z centralą
error-pbx-bad-frame = Centrala przysłała dane, których Ringside nie może odczytać
error-pbx-bad-action = Ringside nie mógł wysłać tego do centrali
error-pbx-not-connected = Brak połączenia z centralą; spróbuj, gdy wróci
error-pbx-logged-out = Wylogowano z centrali
error-keychain-unavailable = Systemowy magazyn haseł jest niedostępny
error-demo-not-started = Nie udało się uruchomić centrali demo
error-call-none = Nie ma połączenia do rozłączenia
error-card-gone = Karta tego połączenia jest już zamknięta
error-card-no-such-deal = Ta transakcja nie jest już otwarta dla tego klienta; wyszukaj dzwoniącego ponownie
error-customer-pick-not-remembered = Klienta wybrano dla tego połączenia, ale Ringside nie mógł zapamiętać wyboru na następne
error-customer-no-name = Podaj nazwę klienta
error-customer-not-saved = Nie udało się zapisać klienta
error-customer-no-page = { $name } nie ma strony w CRM
error-customer-no-such-target = W { $target } nie można tworzyć klientów; można w: { $known }
error-customer-create-in-progress = Klient jest już tworzony w { $target }; zaczekaj
error-customer-no-order-page = W { $source } nie ma strony nowego zamówienia: { $reason }
error-crm-create-failed = Nie udało się utworzyć klienta w { $crm }: { $reason }
error-directory-unavailable = Katalog klientów jest niedostępny
error-directory-failed-earlier = W katalogu klientów wystąpił wcześniej błąd; uruchom Ringside ponownie
error-directory-failed = Błąd katalogu klientów
error-dial-provider-refused = Operator telefonii nie nawiązał połączenia
error-dial-no-connection = Nie ma łącza { $name }; są: { $known }
error-dial-service-code = Numer { $number } zawiera * lub #, które centrala może odczytać jako kod usługi (przekierowanie, poczta głosowa); potwierdź, aby zadzwonić
error-dial-not-on-this-computer = To łącze nie dzwoni z tego komputera
error-dial-softphone-not-installed = { $app } nie jest zainstalowany w { $path } (ustawienie { $setting })
error-dial-softphone-not-found = Nie znaleziono { $app } na tym komputerze (ustawienie { $setting })
error-dial-not-started = Nie udało się uruchomić { $program }: { $reason }
error-dial-misconfigured = Łącze { $connection } jest źle skonfigurowane: { $reason }
error-dial-link-handler = Nie udało się uruchomić systemowej obsługi linków
error-link-not-dialable = Pod ten link nie można zadzwonić: { $reason }
error-link-loop = Ringside przekazał numer do obsługi linków tel:, którą jest sam Ringside; połączenie nie zostało nawiązane
error-links-macos-at-install = W macOS Ringside obsługuje linki tel: po instalacji z obrazu dysku; wybierz go jako domyślną aplikację do dzwonienia w ustawieniach FaceTime
error-links-not-registered = Ringside nie mógł zostać obsługą linków { $scheme }: { $reason }
error-recording-none = Centrala nie podała nagrania tego połączenia
error-history-no-folder = Brak folderu domowego na historię połączeń
error-history-stopped = Historia połączeń przestała działać; uruchom Ringside ponownie
error-history-missing-folder = Ringside nie może otworzyć historii połączeń: folder { $path } nie istnieje
error-history-read-only = Ringside nie może zapisać historii połączeń ({ $path }): jest tylko do odczytu
error-history-cannot-open = Ringside nie może otworzyć historii połączeń ({ $path })
error-history-not-a-history = { $path } to baza danych, ale nie historia połączeń Ringside
error-history-damaged = Historia połączeń Ringside { $path } jest uszkodzona; przenieś ją gdzie indziej (Ringside założy nową) albo przywróć z kopii zapasowej
error-history-too-new = Historię połączeń { $path } zapisał nowszy Ringside (format { $found }; ta wersja czyta do { $supported }); zaktualizuj Ringside
error-history-busy = Historię połączeń { $path } trzyma inny program; spróbuj ponownie
error-history-not-saved-kept = Ringside nie może zapisać historii połączeń ({ $path }): { $problem }. Zmiana jest w pamięci i zostanie zapisana później.
error-history-not-saved = Ringside nie może zapisać historii połączeń ({ $path }): { $problem }
error-history-no-such-call = W historii nie ma połączenia { $call }
error-history-call-not-ended = Połączenie { $call } jeszcze się nie zakończyło
error-history-no-such-item = W historii nie ma takiej pozycji dla CRM
error-history-invalid = Historia połączeń odrzuciła to żądanie
error-history-export-failed = Ringside nie mógł dokończyć eksportu; wyeksportowany plik jest niekompletny
error-history-database = Nie udało się odczytać ani zapisać historii połączeń

## ringside-cli's words for people (its JSON is not translated)

cli-failed = ringside-cli: { $message }
cli-lookup-internal = { $number } to numer wewnętrzny (ktoś z zespołu), nie jest wyszukiwany
cli-lookup-found =
    { $n ->
        [0] { $key }: nieznany rozmówca
        [one] { $key }: { $n } klient
        [few] { $key }: { $n } klientów (wybierz jednego)
        [many] { $key }: { $n } klientów (wybierz jednego)
       *[other] { $key }: { $n } klienta (wybierz jednego)
    }
cli-lookup-failed = wyszukiwanie nie powiodło się: { $why }
cli-customers-created = utworzono klienta { $name } w { $source } ({ $id })
cli-customers-no-id = brak id w odpowiedzi
cli-customers-id = id { $id }
cli-customers-added = dodano klienta { $name } (id { $id })
cli-customers-exported = Zapisano klientów do { $file }: { $n }
cli-customers-target = { $name }{ $label }: tworzy { $kind }
cli-customers-say-where = podaj, gdzie: --in TARGET
cli-history-none = na razie brak połączeń
cli-history-no-match = żadne połączenie nie pasuje
cli-history-note = notatka: { $note }
cli-history-recording = nagranie: { $url }
cli-history-exported = Zapisano połączeń do { $file }: { $n }
cli-demo-ringing = dzwonimy do { $to } z { $from }
cli-pbx-calling = dzwonimy pod { $number }
cli-pbx-handed-over = przekazano { $number }
cli-pbx-ringing-you = Dzwoni { $device }; odbierz, aby zadzwonić pod { $number }…
cli-pbx-not-confirmed = { $interface }: centrala przyjęła żądanie, ale nie potwierdziła go w ciągu 3 s
cli-pbx-left-queues = { $interface } nie jest już w obserwowanych kolejkach
cli-customers-seeded = utworzono { $file }, klientów demo: { $n }
cli-lookup-sources =
    { $n ->
        [one] { $number }: { $n } klient z { $sources } w { $ms } ms
        [few] { $number }: { $n } klientów z { $sources } w { $ms } ms
        [many] { $number }: { $n } klientów z { $sources } w { $ms } ms
       *[other] { $number }: { $n } klienta z { $sources } w { $ms } ms
    }
cli-lookup-chosen-before = (wybrano wcześniej)
cli-import-report = { $file }: dodano { $added }, zaktualizowano { $updated }, bez zmian { $unchanged }, pominięto { $skipped }
cli-import-more = … i jeszcze { $n }
cli-demo-listening = centrala demo nasłuchuje na { $addr } (AMI; dowolny użytkownik, hasło „{ $secret }”); agenci 100 i 101, kolejka 600. Ctrl-C ją zatrzymuje.
cli-history-by = agent { $agent }
cli-history-crm-failed =
    { $n ->
        [one] { $target }: błąd ({ $n } próba): { $why }
        [few] { $target }: błąd ({ $n } próby): { $why }
        [many] { $target }: błąd ({ $n } prób): { $why }
       *[other] { $target }: błąd ({ $n } próby): { $why }
    }
cli-pbx-in-queue = w kolejce { $queue }
cli-pbx-in-all-queues = we wszystkich kolejkach
cli-member-available = przyjmuje połączenia
cli-member-ringing = dzwoni
cli-member-in-call = rozmowa
cli-member-unavailable = brak połączenia
cli-member-paused = przerwa
cli-secret-stored = { $label }: zapisano w systemowym magazynie haseł
cli-secret-removed = { $label }: usunięto z systemowego magazynu haseł

## The settings window
prefs-title = Ustawienia Ringside
tray-settings = Ustawienia…
desk-open-settings = Ustawienia
prefs-section-pbx = Centrala
prefs-section-calls = Połączenia i karta
prefs-section-crm = CRM
prefs-section-dial = Wybieranie
prefs-section-general = Ogólne
prefs-source-kind = Skąd przychodzą połączenia
prefs-demo-explained = Wbudowana centrala demo: wypróbuj Ringside bez centrali telefonicznej. Wybierz „ami”, aby połączyć się z Twoim Asteriskiem.
prefs-ami-host = Adres centrali
prefs-ami-port = Port AMI
prefs-ami-username = Użytkownik AMI
prefs-ami-originate-context = Kontekst połączeń wychodzących
prefs-ami-connect-timeout = Czas na połączenie, sekundy
prefs-ami-ping-interval = Sprawdzaj połączenie co, sekundy
prefs-agent = Ty w centrali
prefs-agent-extension = Numer wewnętrzny
prefs-agent-name = Twoje imię
prefs-agent-interfaces = Interfejsy w kolejkach (po jednym w wierszu)
prefs-wrap-up = Obsługa po każdym odebranym połączeniu
prefs-wrap-up-secs = Obsługa kończy się sama po, sekundy (0: nigdy)
prefs-auto-pause = Przestań przyjmować połączenia po tylu nieodebranych z kolejki (0: wyłączone)
prefs-internal-max-len = Tak krótkie numery to numery wewnętrzne współpracowników
prefs-card-opens-on = Karta otwiera się
prefs-card-corner = Róg karty
prefs-card-stack-limit = Kart naraz
prefs-card-autoclose = Zamykaj kartę połączenia nieodebranego tutaj po, sekundy
prefs-internal-delay = Czekaj przed kartą współpracownika, milisekundy
prefs-notify-incoming = Powiadamiaj o dzwoniącym połączeniu
prefs-language = Język
prefs-start-at-login = Uruchamiaj Ringside po zalogowaniu
prefs-region = Region numerów bez kodu kraju
prefs-supervisor = Kierownik: pokazuj zespół
prefs-supervisor-queues = Nadzorowane kolejki (po jednej w wierszu; puste: wszystkie)
prefs-confirm-links = Pytaj przed połączeniem z linku klikniętego w innym programie
prefs-crm-url = Adres wyszukiwania
prefs-crm-auth-header = Nagłówek z kluczem
prefs-crm-auth-prefix = Przed kluczem
prefs-crm-card-url = Strona klienta
prefs-crm-log-url = Gdzie zapisywać zakończone połączenia
prefs-crm-create-url = Gdzie tworzyć nowych klientów
prefs-crm-create-as = „Utwórz klienta” tworzy
prefs-crm-auto-create = Twórz nieznanego rozmówcę, którego odebrałem
prefs-dial-format = Format numeru
prefs-dial-prefix = Prefiks
prefs-dial-path = Ścieżka programu
prefs-dial-scheme = Rodzaj linku
prefs-dial-program = Program
prefs-dial-args = Argumenty (po jednym w wierszu)
prefs-dial-key = Klucz API (część publiczna)
prefs-dial-extension = Linia, która dzwoni pierwsza
prefs-dial-project = Projekt
prefs-secret = Sekret
prefs-secret-type = Wpisz, aby zachować w pęku kluczy
prefs-secret-replace = Wpisz nowy, aby zastąpić
prefs-secret-stored = Przechowywany w systemowym pęku kluczy.
prefs-secret-remove = Usuń
prefs-secret-missing = Jeszcze nie zapisany.
prefs-secret-no-keychain = Ten komputer nie ma pęku kluczy: ustaw zmienną środowiskową { $env }.
prefs-secret-from-env = Pobierany ze zmiennej środowiskowej { $env }.
prefs-test = Sprawdź połączenie
prefs-test-number = Numer do sprawdzenia
prefs-step-demo = Centrala demo
prefs-step-tcp = Sieć
prefs-step-banner = Asterisk odpowiada
prefs-step-secret = Sekret
prefs-step-login = Logowanie
prefs-step-permissions = Uprawnienia
prefs-step-events = Zdarzenia
prefs-step-agent-device = Twoje urządzenie
prefs-step-key = Klucz
prefs-step-lookup = Wyszukiwanie
prefs-step-plan = Co zrobi połączenie
prefs-remove = Usuń
prefs-profile-name = nazwa
prefs-add-crm = Dodaj CRM
prefs-add-dial = Dodaj połączenie
prefs-locked = Ustawione przez Twój dział IT
prefs-system-file = Część ustawień pochodzi z { $file } i jest zablokowana.
prefs-user-file = Zapisano w { $file }
prefs-support = Pomoc techniczna
prefs-support-hint = Do zgłoszenia: wersja, Twój system, te ustawienia bez haseł i kluczy, test połączenia i ostatnie wiersze dziennika Ringside.
prefs-copy-diagnostics = Kopiuj diagnostykę
prefs-updates = Aktualizacje
prefs-updates-check = Sprawdzaj aktualizacje przy starcie i codziennie
prefs-updates-url = Adres aktualizacji (puste: adres Ringside)
prefs-check-updates = Sprawdź aktualizacje teraz
update-checking = Szukamy aktualizacji…
update-up-to-date = Ringside { $version } jest aktualny.
update-ready = Ringside { $version } jest gotowy do instalacji.
update-install = Zainstaluj i uruchom ponownie
update-later = Później
prefs-diagnostics-copied = { $lines ->
    [one] Skopiowano { $lines } wiersz do schowka. Wklej go do zgłoszenia.
    [few] Skopiowano { $lines } wiersze do schowka. Wklej je do zgłoszenia.
    [many] Skopiowano { $lines } wierszy do schowka. Wklej je do zgłoszenia.
   *[other] Skopiowano { $lines } wiersza do schowka. Wklej je do zgłoszenia.
}
prefs-save = Zapisz
prefs-saved = Zapisano. Ringside już używa nowych ustawień.
welcome-title = Witaj w Ringside
welcome-text = Ringside pokazuje, kto dzwoni, i pilnuje, czy przyjmujesz połączenia. Skąd mają przychodzić połączenia?
welcome-demo = Wypróbuj z centralą demo
welcome-connect = Połącz z moją centralą
error-settings-locked = { $key } ustawia Twój dział IT, nie można tego tu zmienić
error-settings-bad-change = Tej zmiany nie można zapisać: { $reason }
error-settings-invalid = Ustawień nie zapisano: { $reason }
error-diagnostics-clipboard = Nie udało się skopiować diagnostyki do schowka: { $reason }
error-update-no-key = Ta wersja Ringside nie ma klucza aktualizacji: aktualizacje przychodzą z pakietami działu IT.
error-update-no-url = Nie ustawiono adresu aktualizacji: podaj go w ustawieniach albo otrzymuj aktualizacje z pakietami działu IT.
error-update-bad-signature = Znaleziono aktualizację, ale jej podpis nie pasuje do klucza aktualizacji Ringside. Została odrzucona i nie zainstalowana.
error-update-insecure = Adres aktualizacji musi zaczynać się od https://
error-update-no-package = Aktualizacja nie ma pakietu dla tego systemu.
error-update-unreachable = Serwer aktualizacji jest nieosiągalny: { $reason }
error-update-failed = Nie udało się sprawdzić aktualizacji: { $reason }
error-update-on-call = Ringside zaktualizuje się po rozmowie: najpierw ją zakończ wraz z obsługą po rozmowie.
error-update-none = Nie ma aktualizacji gotowej do instalacji.
error-settings-write-failed = Nie udało się zapisać pliku ustawień, nic się nie zmieniło: { $reason }
error-settings-no-folder = Brak folderu domowego na plik ustawień
error-settings-no-such-secret = W tych ustawieniach nie ma sekretu { $which }
error-settings-empty-secret = Najpierw wpisz sekret
error-settings-secret-refused = Klucza nie zapisano: { $reason }
error-keychain-not-stored = Ten komputer nie ma pęku kluczy: ustaw zmienną środowiskową { $env }
error-config-invalid = Nie można użyć pliku ustawień: { $reason }
error-pbx-reconnecting = Łączenie z nowymi ustawieniami
prefs-opt-source-demo = Wbudowana centrala demo
prefs-opt-source-ami = Asterisk (AMI)
prefs-opt-opens-ringing = Gdy dzwoni
prefs-opt-opens-answer = Gdy odbiorę
prefs-opt-opens-never = Tylko na moją prośbę
prefs-opt-corner-auto = Najbliżej zasobnika
prefs-opt-corner-top-right = Prawy górny
prefs-opt-corner-bottom-right = Prawy dolny
prefs-opt-corner-top-left = Lewy górny
prefs-opt-corner-bottom-left = Lewy dolny
prefs-opt-notify-when-card-hidden = Gdy karty nie widać
prefs-opt-notify-always = Zawsze
prefs-opt-notify-never = Nigdy
prefs-opt-format-e164 = Międzynarodowy z + (+380441234567)
prefs-opt-format-national = Krajowy (0441234567)
prefs-opt-format-international = Międzynarodowy bez + (380441234567)
prefs-opt-format-as-typed = Jak wpisano
prefs-opt-create-contact = Kontakt
prefs-opt-create-lead = Lead
prefs-opt-create-off = Wyłączone
prefs-locked-badge = zablokowane
prefs-pause-reasons = Powody przerwy (po jednym w wierszu: kod: nazwa)
prefs-lookup-timeout = Limit czasu wyszukiwania, milisekundy
prefs-lookup-order = Gdzie szukać rozmówców, po kolei (po jednym w wierszu)
prefs-dial-default = Domyślne połączenie
prefs-dial-default-first = Pierwsze
prefs-crm-log-update-url = Dokąd wysyłać zmiany zapisanego połączenia
prefs-crm-new-order-url = Strona nowego zamówienia
prefs-opt-create-customer = Klient
prefs-crm-plain-http = Zezwól na zwykły http:// do innego komputera
prefs-crm-field-list = Odpowiedź: lista klientów (JSON pointer)
prefs-crm-field-id = Identyfikator klienta
prefs-crm-field-name = Nazwa klienta
prefs-crm-field-company = Firma
prefs-crm-field-url = Strona klienta
prefs-crm-field-orders = Otwarte zamówienia
prefs-crm-field-phone = Gdzie wpisać numer nowego klienta
prefs-directory-path = Plik katalogu klientów (puste: domyślny)
prefs-history-path = Plik historii połączeń (puste: domyślny)
prefs-opt-source-nats = Przekaźnik Ringside (NATS)
prefs-nats-servers = Serwery przekaźnika (po jednym w wierszu: nats://… lub tls://…)
prefs-nats-tenant = Call center (dzierżawca)
prefs-nats-user = Użytkownik przekaźnika
prefs-step-connect = Serwery przekaźnika
prefs-step-relay = Przekaźnik odpowiada
error-relay-unavailable = Przekaźnik jest nieosiągalny: { $reason }
error-relay-refused = Przekaźnik odmówił: { $reason }
error-relay-no-secret = Brak hasła przekaźnika dla użytkownika { $user }: wpisz je w ustawieniach lub ustaw { $env }
error-relay-unreachable = Serwery przekaźnika są nieosiągalne: { $reason }
error-relay-login-refused = Serwery przekaźnika odrzuciły logowanie: { $reason }
