<?php
// Courses, users, enrolments and External tool activities through Moodle's own API.
// Usage: php fixtures.php MOODLE_DIR '{"action": "...", ...}'   (prints one JSON object)
define('CLI_SCRIPT', true);
require($argv[1] . '/config.php');
require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->dirroot . '/course/modlib.php');
require_once($CFG->dirroot . '/user/lib.php');
require_once($CFG->dirroot . '/lib/enrollib.php');

\core\session\manager::set_user(get_admin());
$args = json_decode($argv[2], true, 16, JSON_THROW_ON_ERROR);

function out(array $result): void {
    echo json_encode($result), "\n";
}

switch ($args['action']) {
    case 'course':
        $course = create_course((object) [
            'fullname' => $args['fullname'],
            'shortname' => $args['shortname'],
            'category' => $DB->get_field_select('course_categories', 'MIN(id)', '1=1'),
            'format' => 'topics',
            'numsections' => 1,
            'enablecompletion' => 1,
        ]);
        out(['id' => (int) $course->id]);
        break;

    case 'user':
        $id = user_create_user((object) [
            'username' => $args['username'],
            'password' => $args['password'],
            'firstname' => $args['firstname'],
            'lastname' => $args['lastname'],
            'email' => $args['email'],
            'auth' => 'manual',
            'confirmed' => 1,
            'mnethostid' => $CFG->mnet_localhost_id,
            'lang' => $args['lang'] ?? 'en',
        ], true, false);
        out(['id' => (int) $id]);
        break;

    case 'enrol':
        $instance = $DB->get_record('enrol', ['courseid' => $args['courseid'], 'enrol' => 'manual'],
            '*', MUST_EXIST);
        $role = $DB->get_record('role', ['shortname' => $args['role']], '*', MUST_EXIST);
        enrol_get_plugin('manual')->enrol_user($instance, $args['userid'], $role->id);
        out(['ok' => true]);
        break;

    case 'lti':
        // An External tool activity of the registered tool type, graded out of 100.
        $info = (object) [
            'modulename' => 'lti',
            'module' => $DB->get_field('modules', 'id', ['name' => 'lti'], MUST_EXIST),
            'course' => $args['courseid'],
            'section' => 1,
            'visible' => 1,
            'name' => $args['name'],
            'introeditor' => ['text' => '', 'format' => FORMAT_HTML, 'itemid' => 0],
            'typeid' => $args['typeid'],
            'toolurl' => '',
            'securetoolurl' => '',
            'launchcontainer' => $args['launchcontainer'],  // 2 embed, 4 new window
            'instructorcustomparameters' => $args['custom'] ?? '',
            'instructorchoiceacceptgrades' => 1,
            'instructorchoicesendname' => 1,
            'instructorchoicesendemailaddr' => 1,
            'grade' => 100,
            'showtitlelaunch' => 1,
            'showdescriptionlaunch' => 0,
        ];
        $cm = create_module($info);
        out(['cmid' => (int) $cm->coursemodule, 'instance' => (int) $cm->instance]);
        break;

    default:
        throw new coding_exception('unknown action ' . $args['action']);
}
