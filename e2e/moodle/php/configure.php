<?php
// Site settings for a quiet, predictable test site that may call a tool on loopback.
// Usage: php configure.php MOODLE_DIR
define('CLI_SCRIPT', true);
require($argv[1] . '/config.php');

$settings = [
    // Moodle refuses outbound HTTP to 127.0.0.1 and to non-standard ports until these are empty.
    'curlsecurityblockedhosts' => '',
    'curlsecurityallowedport' => '',
    // Simple passwords, no mail.
    'passwordpolicy' => 0,
    'noemailever' => 1,
];
foreach ($settings as $name => $value) {
    set_config($name, $value);
}
purge_all_caches();
echo json_encode(['ok' => true]), "\n";
