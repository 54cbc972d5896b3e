'''ModemManager D-Bus mock template (python3-dbusmock has none).

The real org.freedesktop.ModemManager1 object tree, as far as calls go:

  /org/freedesktop/ModemManager1              org.freedesktop.ModemManager1,
                                              org.freedesktop.DBus.ObjectManager
  /org/freedesktop/ModemManager1/Modem/N      org.freedesktop.ModemManager1.Modem,
                                              org.freedesktop.ModemManager1.Modem.Voice
  /org/freedesktop/ModemManager1/Call/N       org.freedesktop.ModemManager1.Call

As in ModemManager, the ObjectManager lists the modems only; Call objects
are exported on their own and reached through the Voice interface's Calls
property and its CallAdded/CallDeleted signals. A call changes state with
StateChanged(i old, i new, u reason) and PropertiesChanged, the way
ModemManager's generated skeletons send them. States and reasons are
ModemManager's numbers (MMCallState, MMCallStateReason, MMCallDirection).

Mock methods (org.freedesktop.DBus.Mock on the main object):
  AddModem() -> o                     a modem with voice calls
  AddCall(o modem, s number, i direction) -> o
                                      a new call in state unknown, as
                                      ModemManager creates it (CallAdded)
  SetCallState(o call, i state, u reason)
                                      StateChanged and PropertiesChanged
  RemoveCall(o call)                  CallDeleted, as after DeleteCall
'''

import dbus

from dbusmock import MOCK_IFACE, OBJECT_MANAGER_IFACE
import dbusmock

BUS_NAME = 'org.freedesktop.ModemManager1'
MAIN_OBJ = '/org/freedesktop/ModemManager1'
MAIN_IFACE = 'org.freedesktop.ModemManager1'
SYSTEM_BUS = True

MODEM_IFACE = 'org.freedesktop.ModemManager1.Modem'
VOICE_IFACE = 'org.freedesktop.ModemManager1.Modem.Voice'
CALL_IFACE = 'org.freedesktop.ModemManager1.Call'

# MMCallState, MMCallStateReason
STATE_ACTIVE = 4
STATE_TERMINATED = 7
REASON_ACCEPTED = 3
REASON_TERMINATED = 4


def load(mock, parameters):
    mock.modem_count = 0
    mock.call_count = 0
    mock.AddProperties(MAIN_IFACE, dbus.Dictionary({
        'Version': dbus.String(parameters.get('Version', '1.20.4')),
    }, signature='sv'))
    mock.AddMethods(MAIN_IFACE, [
        ('ScanDevices', '', '', ''),
        ('SetLogging', 's', '', ''),
        ('ReportKernelEvent', 'a{sv}', '', ''),
        ('InhibitDevice', 'sb', '', ''),
    ])
    # Modems only, with all their interfaces (not the Call objects).
    mock.AddMethod(OBJECT_MANAGER_IFACE, 'GetManagedObjects', '',
                   'a{oa{sa{sv}}}',
                   'ret = {dbus.ObjectPath(k): objects[k].props '
                   'for k in objects if k.startswith('
                   '"/org/freedesktop/ModemManager1/Modem/")}')


def modem_properties(index):
    return {
        'Manufacturer': dbus.String('rdguard'),
        'Model': dbus.String('Mock Voice Modem'),
        'Revision': dbus.String('1.0'),
        'DeviceIdentifier': dbus.String(f'mock{index}'),
        'State': dbus.Int32(8),  # MM_MODEM_STATE_REGISTERED
        'PowerState': dbus.UInt32(3),  # MM_MODEM_POWER_STATE_ON
        'OwnNumbers': dbus.Array(['+4930555000'], signature='s'),
    }


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='o')
def AddModem(self):
    '''A modem with the Modem and Voice interfaces; InterfacesAdded.'''
    path = f'{MAIN_OBJ}/Modem/{self.modem_count}'
    self.AddObject(path, MODEM_IFACE, modem_properties(self.modem_count), [
        ('Enable', 'b', '', ''),
        ('Reset', '', '', ''),
    ])
    self.modem_count += 1
    modem = dbusmock.mockobject.objects[path]
    modem.AddProperties(VOICE_IFACE, dbus.Dictionary({
        'Calls': dbus.Array([], signature='o'),
        'EmergencyOnly': dbus.Boolean(False),
    }, signature='sv'))
    modem.AddMethods(VOICE_IFACE, [
        ('ListCalls', '', 'ao', f'ret = objects["{path}"].props["{VOICE_IFACE}"]["Calls"]'),
        ('DeleteCall', 'o', '', f'objects["{MAIN_OBJ}"].RemoveCall(args[0])'),
        ('CreateCall', 'a{sv}', 'o',
         f'ret = objects["{MAIN_OBJ}"].AddCall("{path}", str(args[0].get("number", "")), 2)'),
        ('HoldAndAccept', '', '', ''),
        ('HangupAndAccept', '', '', ''),
        ('HangupAll', '', '', ''),
        ('Transfer', '', '', ''),
        ('CallWaitingSetup', 'b', '', ''),
        ('CallWaitingQuery', '', 'b', 'ret = False'),
    ])
    self.EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesAdded', 'oa{sa{sv}}',
                    [dbus.ObjectPath(path), modem.props])
    return path


def set_calls(modem, calls):
    modem.UpdateProperties(VOICE_IFACE, {'Calls': dbus.Array(calls, signature='o')})


@dbus.service.method(MOCK_IFACE, in_signature='osi', out_signature='o')
def AddCall(self, modem_path, number, direction):
    '''A Call object in state unknown on modem_path; CallAdded.'''
    path = f'{MAIN_OBJ}/Call/{self.call_count}'
    self.call_count += 1
    self.AddObject(path, CALL_IFACE, {
        'State': dbus.Int32(0),
        'StateReason': dbus.Int32(0),
        'Direction': dbus.Int32(direction),
        'Number': dbus.String(number),
        'Multiparty': dbus.Boolean(False),
        'AudioPort': dbus.String(''),
        'AudioFormat': dbus.Dictionary({}, signature='sv'),
    }, [
        ('Start', '', '', f'objects["{MAIN_OBJ}"].SetCallState("{path}", 1, 1)'),
        ('Accept', '', '', f'objects["{MAIN_OBJ}"].SetCallState("{path}", {STATE_ACTIVE}, {REASON_ACCEPTED})'),
        ('Deflect', 's', '', ''),
        ('JoinMultiparty', '', '', ''),
        ('LeaveMultiparty', '', '', ''),
        ('Hangup', '', '', f'objects["{MAIN_OBJ}"].SetCallState("{path}", {STATE_TERMINATED}, {REASON_TERMINATED})'),
        ('SendDtmf', 's', '', ''),
    ])
    call = dbusmock.mockobject.objects[path]
    call.modem_path = modem_path
    modem = dbusmock.mockobject.objects[modem_path]
    set_calls(modem, list(modem.props[VOICE_IFACE]['Calls']) + [dbus.ObjectPath(path)])
    modem.EmitSignal(VOICE_IFACE, 'CallAdded', 'o', [dbus.ObjectPath(path)])
    return path


@dbus.service.method(MOCK_IFACE, in_signature='oiu', out_signature='')
def SetCallState(self, path, state, reason):
    '''The call's State and StateReason: StateChanged, PropertiesChanged.'''
    call = dbusmock.mockobject.objects[path]
    old = int(call.props[CALL_IFACE]['State'])
    call.props[CALL_IFACE]['State'] = dbus.Int32(state)
    call.props[CALL_IFACE]['StateReason'] = dbus.Int32(reason)
    call.EmitSignal(CALL_IFACE, 'StateChanged', 'iiu', [old, state, reason])
    call.EmitSignal(dbus.PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as', [
        CALL_IFACE,
        dbus.Dictionary({'State': dbus.Int32(state, variant_level=1),
                         'StateReason': dbus.Int32(reason, variant_level=1)},
                        signature='sv'),
        dbus.Array([], signature='s')])


@dbus.service.method(MOCK_IFACE, in_signature='o', out_signature='')
def RemoveCall(self, path):
    '''Removes the Call object: CallDeleted, and the modem's Calls.'''
    call = dbusmock.mockobject.objects[path]
    modem = dbusmock.mockobject.objects[call.modem_path]
    self.RemoveObject(path)
    set_calls(modem, [c for c in modem.props[VOICE_IFACE]['Calls'] if c != path])
    modem.EmitSignal(VOICE_IFACE, 'CallDeleted', 'o', [dbus.ObjectPath(path)])
